package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// listGroup: listings filter and paginate by keyset.
var listGroup = group{"List", []test{
	{"FilingFilters", testListFilingFilters},
	{"ApplicationFilters", testListApplicationFilters},
	{"InvoiceStates", testListInvoiceStates},
	{"FilingKeysetPagination", testListFilingKeyset},
	{"ApplicationKeysetPagination", testListApplicationKeyset},
	{"UpdatedAfterKeysetPagination", testListUpdatedAfterKeyset},
	{"DefaultLimit", testListDefaultLimit},
	{"WithoutOfficeIsInvalid", testListWithoutOffice},
}}

func listFilingIDs(t *testing.T, s notary.Store, q notary.ListQuery) []uuid.UUID {
	t.Helper()
	fs, err := s.ListFilings(t.Context(), q)
	require.NoError(t, err)
	ids := []uuid.UUID{}
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	return ids
}

func listAppIDs(t *testing.T, s notary.Store, q notary.ListQuery) []uuid.UUID {
	t.Helper()
	as, err := s.ListApplications(t.Context(), q)
	require.NoError(t, err)
	ids := []uuid.UUID{}
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	return ids
}

func ids(xs ...uuid.UUID) []uuid.UUID { return append([]uuid.UUID{}, xs...) }

func testListFilingFilters(t *testing.T, s notary.Store) {
	office, other := uuid.New(), uuid.New()
	mk := func(office uuid.UUID, owner string, state notary.FilingState, created, updated time.Duration) notary.Filing {
		f := newFiling(office, owner, at(created))
		f.State = state
		f.UpdatedAt = at(updated)
		commit(t, s, createChange(f))
		return f
	}
	f3 := mk(office, "carol", notary.FilingRejected, 2*time.Minute, 3*time.Hour)
	f1 := mk(office, "alice", notary.FilingPendingReview, 0, time.Hour)
	f2 := mk(office, "bob", notary.FilingApproved, time.Minute, 2*time.Hour)
	f4 := mk(other, "alice", notary.FilingApproved, 0, time.Hour)

	for _, tc := range []struct {
		name string
		q    notary.ListQuery
		want []uuid.UUID
	}{
		{"office", notary.ListQuery{OfficeID: office}, ids(f1.ID, f2.ID, f3.ID)},
		{"other office", notary.ListQuery{OfficeID: other}, ids(f4.ID)},
		{"unknown office", notary.ListQuery{OfficeID: uuid.New()}, ids()},
		{"owner", notary.ListQuery{OfficeID: office, OwnerID: "alice"}, ids(f1.ID)},
		{"unknown owner", notary.ListQuery{OfficeID: office, OwnerID: "dave"}, ids()},
		{"states", notary.ListQuery{OfficeID: office, States: []string{"Approved", "Rejected"}}, ids(f2.ID, f3.ID)},
		{"unknown state", notary.ListQuery{OfficeID: office, States: []string{"Nope"}}, ids()},
		{"created before is strict", notary.ListQuery{OfficeID: office, CreatedBefore: at(time.Minute)}, ids(f1.ID)},
		{"updated before is strict", notary.ListQuery{OfficeID: office, UpdatedBefore: at(3 * time.Hour)}, ids(f1.ID, f2.ID)},
		{"combined", notary.ListQuery{
			OfficeID: office, States: []string{"PendingReview", "Approved"}, UpdatedBefore: at(2 * time.Hour),
		}, ids(f1.ID)},
		{"updated after is inclusive", notary.ListQuery{OfficeID: office, UpdatedAfter: at(2 * time.Hour)}, ids(f2.ID, f3.ID)},
		{"states and updated after", notary.ListQuery{
			OfficeID: office, States: []string{"PendingReview", "Approved"}, UpdatedAfter: at(2 * time.Hour),
		}, ids(f2.ID)},
		{"limit", notary.ListQuery{OfficeID: office, Limit: 2}, ids(f1.ID, f2.ID)},
		{"after", notary.ListQuery{OfficeID: office, After: &notary.Cursor{CreatedAt: f1.CreatedAt, ID: f1.ID}}, ids(f2.ID, f3.ID)},
	} {
		assert.Equal(t, tc.want, listFilingIDs(t, s, tc.q), tc.name)
	}
}

func testListApplicationFilters(t *testing.T, s notary.Store) {
	office, other := uuid.New(), uuid.New()
	mk := func(office uuid.UUID, owner string, state notary.ApplicationState, created, updated time.Duration) notary.Application {
		a := newApplication(office, owner, 1, at(created))
		a.State = state
		a.UpdatedAt = at(updated)
		commit(t, s, createAppChange(a))
		return a
	}
	a1 := mk(office, "alice", notary.AwaitingPayment, 0, time.Hour)
	a4 := mk(office, "alice", notary.PendingFinalReview, 3*time.Minute, 4*time.Hour)
	a2 := mk(office, "bob", notary.PendingPreliminaryReview, time.Minute, 2*time.Hour)
	a3 := mk(office, "alice", notary.PendingPreliminaryReview, 2*time.Minute, 3*time.Hour)
	a5 := mk(other, "alice", notary.PendingPreliminaryReview, 0, time.Hour)

	pending := []string{string(notary.PendingPreliminaryReview), string(notary.PendingFinalReview)}
	for _, tc := range []struct {
		name string
		q    notary.ListQuery
		want []uuid.UUID
	}{
		{"office", notary.ListQuery{OfficeID: office}, ids(a1.ID, a2.ID, a3.ID, a4.ID)},
		{"other office", notary.ListQuery{OfficeID: other}, ids(a5.ID)},
		{"owner", notary.ListQuery{OfficeID: office, OwnerID: "alice"}, ids(a1.ID, a3.ID, a4.ID)},
		{"states", notary.ListQuery{OfficeID: office, States: pending}, ids(a2.ID, a3.ID, a4.ID)},
		{"owner and states", notary.ListQuery{OfficeID: office, OwnerID: "alice", States: pending}, ids(a3.ID, a4.ID)},
		{"created before is strict", notary.ListQuery{OfficeID: office, CreatedBefore: at(2 * time.Minute)}, ids(a1.ID, a2.ID)},
		{"updated before is strict", notary.ListQuery{OfficeID: office, UpdatedBefore: at(2 * time.Hour)}, ids(a1.ID)},
		{"states and updated before", notary.ListQuery{OfficeID: office, States: pending, UpdatedBefore: at(4 * time.Hour)}, ids(a2.ID, a3.ID)},
		{"updated after is inclusive", notary.ListQuery{OfficeID: office, UpdatedAfter: at(3 * time.Hour)}, ids(a3.ID, a4.ID)},
		{"updated after, nothing newer", notary.ListQuery{OfficeID: office, UpdatedAfter: at(4*time.Hour + time.Microsecond)}, ids()},
		{"states and updated after", notary.ListQuery{
			OfficeID: office, States: []string{string(notary.AwaitingPayment), string(notary.PendingPreliminaryReview)}, UpdatedAfter: at(2 * time.Hour),
		}, ids(a2.ID, a3.ID)},
		{"updated after and before", notary.ListQuery{OfficeID: office, UpdatedAfter: at(2 * time.Hour), UpdatedBefore: at(4 * time.Hour)}, ids(a2.ID, a3.ID)},
		{"states, updated after, limit and after", notary.ListQuery{
			OfficeID: office, States: pending, UpdatedAfter: at(3 * time.Hour), Limit: 1, After: &notary.Cursor{CreatedAt: a3.CreatedAt, ID: a3.ID},
		}, ids(a4.ID)},
		{"limit and after", notary.ListQuery{
			OfficeID: office, OwnerID: "alice", Limit: 1, After: &notary.Cursor{CreatedAt: a1.CreatedAt, ID: a1.ID},
		}, ids(a3.ID)},
	} {
		assert.Equal(t, tc.want, listAppIDs(t, s, tc.q), tc.name)
	}
}

// testListInvoiceStates: applications are listed by their invoice's
// state (finance's queue), in order and by keyset; an application without
// an invoice is in no invoice state, and the invoice moves with each
// commit.
func testListInvoiceStates(t *testing.T, s notary.Store) {
	office, other := uuid.New(), uuid.New()
	mk := func(office uuid.UUID, state notary.InvoiceState, created time.Duration) notary.Application {
		a := newApplication(office, "alice", 1, at(created))
		a.State = notary.PendingPreliminaryReview
		if state != "" {
			a.Invoice = &notary.Invoice{State: state, Request: notary.InvoiceRequest{Type: notary.InvoiceOrdinary, Title: "示例",
				TaxpayerID: "91350100M000100Y43", Email: "tax@example.com"}, Amount: decimal.RequireFromString("100.00"),
				Currency: "CNY", RequestedAt: at(created), UpdatedAt: at(created)}
		}
		commit(t, s, createAppChange(a))
		return a
	}
	none := mk(office, "", 0)
	r1 := mk(office, notary.InvoiceRequested, time.Minute)
	iss := mk(office, notary.InvoiceIssued, 2*time.Minute)
	r2 := mk(office, notary.InvoiceRequested, 3*time.Minute)
	rej := mk(office, notary.InvoiceRejected, 4*time.Minute)
	elsewhere := mk(other, notary.InvoiceRequested, 0)
	_ = none
	requested := []string{string(notary.InvoiceRequested)}
	for _, tc := range []struct {
		name string
		q    notary.ListQuery
		want []uuid.UUID
	}{
		{"requested", notary.ListQuery{OfficeID: office, InvoiceStates: requested}, ids(r1.ID, r2.ID)},
		{"two states", notary.ListQuery{OfficeID: office, InvoiceStates: []string{"Issued", "Rejected"}}, ids(iss.ID, rej.ID)},
		{"other office", notary.ListQuery{OfficeID: other, InvoiceStates: requested}, ids(elsewhere.ID)},
		{"not requested is no invoice state", notary.ListQuery{OfficeID: office, InvoiceStates: []string{"", "NotRequested"}}, ids()},
		{"with application states", notary.ListQuery{OfficeID: office, InvoiceStates: requested,
			States: []string{string(notary.AwaitingPayment)}}, ids()},
		{"limit and after", notary.ListQuery{OfficeID: office, InvoiceStates: requested, Limit: 1,
			After: &notary.Cursor{CreatedAt: r1.CreatedAt, ID: r1.ID}}, ids(r2.ID)},
	} {
		assert.Equal(t, tc.want, listAppIDs(t, s, tc.q), tc.name)
	}

	// Issuing r1's invoice moves it out of the queue.
	next := r1
	next.Version++
	inv := *r1.Invoice
	inv.State = notary.InvoiceIssued
	inv.Issued = &notary.IssuedInvoice{Number: "12345678", IssuedOn: at(time.Hour), PDFRef: "x.pdf", PDFSHA256: hex64("pdf")}
	next.Invoice = &inv
	commit(t, s, notary.Change{Application: &next, ExpectedVersion: r1.Version,
		Events: []notary.Event{nextEvent(t, s, r1.ID, notary.KindApplication, office, at(time.Hour))}})
	assert.Equal(t, ids(r2.ID), listAppIDs(t, s, notary.ListQuery{OfficeID: office, InvoiceStates: requested}))
	assert.Equal(t, ids(r1.ID, iss.ID), listAppIDs(t, s, notary.ListQuery{OfficeID: office, InvoiceStates: []string{"Issued"}}))
	got, err := s.Application(t.Context(), r1.ID)
	require.NoError(t, err)
	assert.Equal(t, normApp(next), normApp(got))
	// Filings have no invoice: the bound does not apply to them.
	f := newFiling(office, "alice", at(0))
	commit(t, s, createChange(f))
	assert.Equal(t, ids(f.ID), listFilingIDs(t, s, notary.ListQuery{OfficeID: office, InvoiceStates: requested}))
}

// paginate walks pages of at most 10 items and returns the items seen.
func paginate(t *testing.T, page func(after *notary.Cursor) []notary.Cursor) []notary.Cursor {
	t.Helper()
	var all []notary.Cursor
	var after *notary.Cursor
	for i := 0; ; i++ {
		require.Less(t, i, 100, "pagination does not end")
		items := page(after)
		require.LessOrEqual(t, len(items), 10)
		if len(items) == 0 {
			return all
		}
		all = append(all, items...)
		last := items[len(items)-1]
		after = &last
	}
}

func testListFilingKeyset(t *testing.T, s notary.Store) {
	office := uuid.New()
	var want []notary.Cursor
	for k := range 25 {
		i := (k * 7) % 25 // insert out of order
		f := newFiling(office, fmt.Sprintf("owner-%02d", i), at(time.Duration(i/3)*time.Second))
		commit(t, s, createChange(f))
		want = append(want, pos(f.CreatedAt, f.ID))
	}
	commit(t, s, createChange(newFiling(uuid.New(), "owner-00", base)))
	sortCursors(want)

	var sizes []int
	got := paginate(t, func(after *notary.Cursor) []notary.Cursor {
		fs, err := s.ListFilings(t.Context(), notary.ListQuery{OfficeID: office, After: after, Limit: 10})
		require.NoError(t, err)
		sizes = append(sizes, len(fs))
		var out []notary.Cursor
		for _, f := range fs {
			out = append(out, pos(f.CreatedAt, f.ID))
		}
		return out
	})
	assert.Equal(t, []int{10, 10, 5, 0}, sizes)
	assert.Equal(t, cursorIDs(want), cursorIDs(got))
}

func testListApplicationKeyset(t *testing.T, s notary.Store) {
	office := uuid.New()
	var want []notary.Cursor
	for k := range 25 {
		i := (k * 7) % 25
		a := newApplication(office, fmt.Sprintf("owner-%d", i%2), 1, at(time.Duration(i/4)*time.Second))
		commit(t, s, createAppChange(a))
		want = append(want, pos(a.CreatedAt, a.ID))
	}
	commit(t, s, createAppChange(newApplication(uuid.New(), "owner-0", 1, base)))
	sortCursors(want)

	got := paginate(t, func(after *notary.Cursor) []notary.Cursor {
		as, err := s.ListApplications(t.Context(), notary.ListQuery{OfficeID: office, After: after, Limit: 10})
		require.NoError(t, err)
		var out []notary.Cursor
		for _, a := range as {
			out = append(out, pos(a.CreatedAt, a.ID))
		}
		return out
	})
	assert.Equal(t, cursorIDs(want), cursorIDs(got))
}

// testListUpdatedAfterKeyset pages through a state bounded by UpdatedAfter,
// as the sweep's refund retry does.
func testListUpdatedAfterKeyset(t *testing.T, s notary.Store) {
	office := uuid.New()
	rejected := string(notary.PreliminaryRejected)
	var want []notary.Cursor
	for k := range 40 {
		i := (k * 7) % 40 // insert out of order
		a := newApplication(office, fmt.Sprintf("owner-%d", i%3), 1, at(time.Duration(i/4)*time.Second))
		a.State = notary.PreliminaryRejected
		if i%4 == 0 {
			a.State = notary.PendingFinalReview
		}
		// Updated times do not follow creation order.
		a.UpdatedAt = at(time.Hour + time.Duration((i*13)%40)*time.Minute)
		commit(t, s, createAppChange(a))
		if string(a.State) == rejected && !a.UpdatedAt.Before(at(time.Hour+10*time.Minute)) {
			want = append(want, pos(a.CreatedAt, a.ID))
		}
	}
	late := newApplication(uuid.New(), "owner-0", 1, base)
	late.State, late.UpdatedAt = notary.PreliminaryRejected, at(2*time.Hour)
	commit(t, s, createAppChange(late))
	sortCursors(want)
	require.NotEmpty(t, want)

	got := paginate(t, func(after *notary.Cursor) []notary.Cursor {
		as, err := s.ListApplications(t.Context(), notary.ListQuery{
			OfficeID: office, States: []string{rejected}, UpdatedAfter: at(time.Hour + 10*time.Minute), After: after, Limit: 4,
		})
		require.NoError(t, err)
		var out []notary.Cursor
		for _, a := range as {
			require.Equal(t, rejected, string(a.State))
			require.False(t, a.UpdatedAt.Before(at(time.Hour+10*time.Minute)))
			out = append(out, pos(a.CreatedAt, a.ID))
		}
		return out
	})
	assert.Equal(t, cursorIDs(want), cursorIDs(got))
}

func testListDefaultLimit(t *testing.T, s notary.Store) {
	office := uuid.New()
	for i := range 60 {
		commit(t, s, createAppChange(newApplication(office, "alice", 1, at(time.Duration(i)*time.Second))))
	}
	assert.Len(t, listAppIDs(t, s, notary.ListQuery{OfficeID: office}), notary.DefaultLimit)
	assert.Len(t, listAppIDs(t, s, notary.ListQuery{OfficeID: office, Limit: -1}), notary.DefaultLimit)
	assert.Len(t, listAppIDs(t, s, notary.ListQuery{OfficeID: office, Limit: 7}), 7)
	assert.Len(t, listAppIDs(t, s, notary.ListQuery{OfficeID: office, Limit: 100}), 60)
}

func testListWithoutOffice(t *testing.T, s notary.Store) {
	commit(t, s, createChange(newFiling(uuid.New(), "alice", base)))
	commit(t, s, createAppChange(newApplication(uuid.New(), "alice", 1, base)))
	for name, list := range map[string]func(context.Context, notary.ListQuery) error{
		"filings":      func(ctx context.Context, q notary.ListQuery) error { _, err := s.ListFilings(ctx, q); return err },
		"applications": func(ctx context.Context, q notary.ListQuery) error { _, err := s.ListApplications(ctx, q); return err },
	} {
		err := list(t.Context(), notary.ListQuery{OwnerID: "alice"})
		requireIs(t, err, notary.ErrInvalidInput, name)
		var fe *notary.FieldError
		require.ErrorAs(t, err, &fe, name)
		assert.Equal(t, "office_id", fe.Field, name)
	}
}
