package store

import (
	"cmp"
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

var _ notary.ReviewIndex = (*Memory)(nil)

// CountFilings counts the office's filings in state.
func (m *Memory) CountFilings(ctx context.Context, officeID uuid.UUID, state notary.FilingState) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := 0
	for _, f := range m.filings {
		if f.OfficeID == officeID && f.State == state {
			n++
		}
	}
	return n, nil
}

// CountApplications counts the office's applications in state.
func (m *Memory) CountApplications(ctx context.Context, officeID uuid.UUID, state notary.ApplicationState) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := 0
	for _, a := range m.apps {
		if a.OfficeID == officeID && a.State == state {
			n++
		}
	}
	return n, nil
}

// FindFilings returns the office's filings matching q, newest first.
func (m *Memory) FindFilings(ctx context.Context, q notary.FindQuery) ([]notary.Filing, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []notary.Filing
	for _, f := range m.filings {
		if f.OfficeID == q.OfficeID && q.Matches(f.ID, f.Content.EnterpriseName, f.Content.CreditCode, uuid.Nil, nil, "") {
			out = append(out, cloneFiling(f))
		}
	}
	return newestFirst(out, func(f notary.Filing) (int64, uuid.UUID) { return f.CreatedAt.UnixNano(), f.ID }, q.Limit), nil
}

// FindApplications returns the office's applications matching q, newest
// first.
func (m *Memory) FindApplications(ctx context.Context, q notary.FindQuery) ([]notary.Application, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []notary.Application
	for _, a := range m.apps {
		var tracking []string
		for _, sh := range []*notary.Shipment{a.Materials, a.Certificate} {
			if sh != nil {
				tracking = append(tracking, sh.TrackingNumber)
			}
		}
		if a.OfficeID == q.OfficeID && q.Matches(a.ID, "", "", a.FilingID, tracking, a.CertificateNumber) {
			out = append(out, cloneApplication(a))
		}
	}
	return newestFirst(out, func(a notary.Application) (int64, uuid.UUID) { return a.CreatedAt.UnixNano(), a.ID }, q.Limit), nil
}

// newestFirst sorts records by (created, ID) descending and keeps limit.
func newestFirst[T any](list []T, key func(T) (int64, uuid.UUID), limit int) []T {
	slices.SortFunc(list, func(a, b T) int {
		ta, ia := key(a)
		tb, ib := key(b)
		if c := cmp.Compare(tb, ta); c != 0 {
			return c
		}
		return slices.Compare(ib[:], ia[:])
	})
	if len(list) > limit {
		list = list[:limit]
	}
	return list
}
