package store

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// Filing revisions: append-only per filing, except that a Change's
// Rewrites replace a stored revision's Content (erasure, resealing).

// checkRevisions applies Commit's rules to c's revisions: a filed one is
// new (ErrConflict), a rewritten one is stored (ErrNotFound).
func (m *Memory) checkRevisions(c notary.Change) error {
	stored := m.revisions[c.Filing.ID]
	has := func(n int) bool {
		return slices.ContainsFunc(stored, func(r notary.FilingRevision) bool { return r.Number == n })
	}
	if r := c.Revision; r != nil && has(r.Number) {
		return conflict("filing %s already has revision %d", r.FilingID, r.Number)
	}
	for _, r := range c.Rewrites {
		if !has(r.Number) {
			return notFound("revision %d of filing %s", r.Number, r.FilingID)
		}
	}
	return nil
}

// putRevisions applies c's revisions; checkRevisions passed.
func (m *Memory) putRevisions(c notary.Change) {
	id := c.Filing.ID
	stored := m.revisions[id]
	if len(c.Rewrites) > 0 {
		// Copy on write: a slice handed out earlier is never changed.
		stored = slices.Clone(stored)
		for _, r := range c.Rewrites {
			i := slices.IndexFunc(stored, func(s notary.FilingRevision) bool { return s.Number == r.Number })
			stored[i].Content = cloneContent(r.Content)
		}
	}
	if r := c.Revision; r != nil {
		rev := *r
		rev.Content = cloneContent(r.Content)
		i, _ := slices.BinarySearchFunc(stored, rev.Number, func(s notary.FilingRevision, n int) int { return s.Number - n })
		stored = slices.Insert(slices.Clip(stored), i, rev)
	}
	m.revisions[id] = stored
}

// FilingRevisions returns the filing's revisions, Number ascending, or an
// error wrapping ErrNotFound when no filing has id.
func (m *Memory) FilingRevisions(ctx context.Context, filingID uuid.UUID) ([]notary.FilingRevision, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if _, ok := m.filings[filingID]; !ok {
		return nil, notFound("filing %s", filingID)
	}
	stored := m.revisions[filingID]
	out := make([]notary.FilingRevision, len(stored))
	for i, r := range stored {
		r.Content = cloneContent(r.Content)
		out[i] = r
	}
	return out, nil
}

// FilingRevision returns revision n of the filing, or an error wrapping
// ErrNotFound.
func (m *Memory) FilingRevision(ctx context.Context, filingID uuid.UUID, n int) (notary.FilingRevision, error) {
	if err := ctx.Err(); err != nil {
		return notary.FilingRevision{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	stored := m.revisions[filingID]
	i := slices.IndexFunc(stored, func(r notary.FilingRevision) bool { return r.Number == n })
	if i < 0 {
		return notary.FilingRevision{}, notFound("revision %d of filing %s", n, filingID)
	}
	r := stored[i]
	r.Content = cloneContent(r.Content)
	return r, nil
}
