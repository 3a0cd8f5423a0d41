package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// transfersGroup checks notary.Transfers: kept bank transfers, their
// serial recorded once together with the records' dedup keys, and their
// match committed atomically with an application's change.
var transfersGroup = group{"Transfers", []test{
	{"KeepAndRead", testKeepAndRead},
	{"SerialOnce", testTransferSerialOnce},
	{"KeepRefusesMalformed", testKeepRefusesMalformed},
	{"ListPagesPerOffice", testListTransfersPages},
	{"MatchCommitsWithApplication", testMatchCommits},
	{"MatchRefusalsChangeNothing", testMatchRefusals},
	{"ConcurrentMatchesOneWins", testConcurrentMatches},
}}

// newTransfer is an unmatched transfer of office recorded at recorded.
func newTransfer(office uuid.UUID, recorded time.Time) notary.BankTransfer {
	id := uuid.New()
	return notary.BankTransfer{
		ID: id, OfficeID: office,
		Transfer: notary.ReceivedTransfer{Serial: fmt.Sprintf("CCB-2026-%X", id[:8]), Reference: "NK0123",
			PayerName: "北京示例科技有限公司", Amount: decimal.RequireFromString("300.00"), Currency: "CNY", Date: recorded.Add(-24 * time.Hour)},
		Problem: notary.ProblemBadReference, Status: notary.TransferUnmatched,
		RecordedBy: notary.Actor{Kind: notary.ActorAdmin, ID: uuid.NewString(), Name: "cash@office.example"},
		RecordedAt: recorded,
	}
}

// normTransfer is t as a store returns it.
func normTransfer(t notary.BankTransfer) notary.BankTransfer {
	t.Transfer.Amount = nd(t.Transfer.Amount)
	t.Transfer.Date, t.RecordedAt, t.MatchedAt = nt(t.Transfer.Date), nt(t.RecordedAt), nt(t.MatchedAt)
	return t
}

func normTransfers(ts []notary.BankTransfer) []notary.BankTransfer {
	out := nilIfEmpty(ts)
	for i := range out {
		out[i] = normTransfer(out[i])
	}
	return out
}

func listTransfers(t *testing.T, s notary.Store, q notary.TransferQuery) []notary.BankTransfer {
	t.Helper()
	got, err := s.ListTransfers(t.Context(), q)
	require.NoError(t, err)
	return normTransfers(got)
}

func testKeepAndRead(t *testing.T, s notary.Store) {
	office := uuid.New()
	tr := newTransfer(office, at(time.Hour))
	tr.Transfer.Amount = decimal.RequireFromString("1234567.89")
	require.NoError(t, s.KeepTransfer(t.Context(), tr))
	got, err := s.Transfer(t.Context(), tr.ID)
	require.NoError(t, err)
	assert.Equal(t, normTransfer(tr), normTransfer(got))
	assert.True(t, tr.Transfer.Amount.Equal(got.Transfer.Amount), "exact money")
	assert.Equal(t, []notary.BankTransfer{normTransfer(tr)}, listTransfers(t, s, notary.TransferQuery{OfficeID: office}))
	assert.Equal(t, []notary.BankTransfer{normTransfer(tr)}, listTransfers(t, s, notary.TransferQuery{OfficeID: office, Status: notary.TransferUnmatched}))
	assert.Empty(t, listTransfers(t, s, notary.TransferQuery{OfficeID: office, Status: notary.TransferMatched}))

	_, err = s.Transfer(t.Context(), uuid.New())
	assert.ErrorIs(t, err, notary.ErrNotFound)
}

func testTransferSerialOnce(t *testing.T, s notary.Store) {
	office := uuid.New()
	first := newTransfer(office, at(0))
	require.NoError(t, s.KeepTransfer(t.Context(), first))

	again := newTransfer(office, at(time.Minute))
	again.Transfer.Serial = first.Transfer.Serial
	assert.ErrorIs(t, s.KeepTransfer(t.Context(), again), notary.ErrDuplicate, "a serial is kept once")

	sameID := newTransfer(office, at(time.Minute))
	sameID.ID = first.ID
	assert.ErrorIs(t, s.KeepTransfer(t.Context(), sameID), notary.ErrConflict)
	// The refused transfers left nothing behind, not even their keys.
	require.NoError(t, s.KeepTransfer(t.Context(), newTransferWithSerial(office, sameID.Transfer.Serial)))

	// A serial that paid an application (its change's dedup key) is not
	// kept, and one kept does not pay.
	app := newApplication(office, "payer", 1, at(0))
	c := createAppChange(app)
	c.DedupKey = notary.TransferDedupKey(first.Transfer.Serial)
	assert.ErrorIs(t, s.Commit(t.Context(), c), notary.ErrDuplicate)
	c.DedupKey = notary.TransferDedupKey("PAID-BY-CHANGE-1")
	commit(t, s, c)
	assert.ErrorIs(t, s.KeepTransfer(t.Context(), newTransferWithSerial(office, "PAID-BY-CHANGE-1")), notary.ErrDuplicate)
	assert.Len(t, listTransfers(t, s, notary.TransferQuery{OfficeID: office}), 2)
}

func newTransferWithSerial(office uuid.UUID, serial string) notary.BankTransfer {
	tr := newTransfer(office, at(2*time.Minute))
	tr.Transfer.Serial = serial
	return tr
}

func testKeepRefusesMalformed(t *testing.T, s notary.Store) {
	office := uuid.New()
	for name, mutate := range map[string]func(*notary.BankTransfer){
		"no id":          func(tr *notary.BankTransfer) { tr.ID = uuid.Nil },
		"no office":      func(tr *notary.BankTransfer) { tr.OfficeID = uuid.Nil },
		"matched":        func(tr *notary.BankTransfer) { tr.Status = notary.TransferMatched },
		"lower serial":   func(tr *notary.BankTransfer) { tr.Transfer.Serial = "ccb-2026-1" },
		"zero amount":    func(tr *notary.BankTransfer) { tr.Transfer.Amount = decimal.Zero },
		"no problem":     func(tr *notary.BankTransfer) { tr.Problem = "" },
		"no recorded at": func(tr *notary.BankTransfer) { tr.RecordedAt = time.Time{} },
	} {
		tr := newTransfer(office, at(0))
		mutate(&tr)
		assert.ErrorIs(t, s.KeepTransfer(t.Context(), tr), notary.ErrInvalidInput, name)
	}
	assert.Empty(t, listTransfers(t, s, notary.TransferQuery{OfficeID: office}))
	_, err := s.ListTransfers(t.Context(), notary.TransferQuery{})
	assert.ErrorIs(t, err, notary.ErrInvalidInput)
	_, err = s.ListTransfers(t.Context(), notary.TransferQuery{OfficeID: office, Status: "lost"})
	assert.ErrorIs(t, err, notary.ErrInvalidInput)
}

func testListTransfersPages(t *testing.T, s notary.Store) {
	office, other := uuid.New(), uuid.New()
	var want []notary.BankTransfer
	for i := range 5 {
		tr := newTransfer(office, at(time.Duration(5-i)*time.Minute)) // kept newest first
		require.NoError(t, s.KeepTransfer(t.Context(), tr))
		want = append([]notary.BankTransfer{normTransfer(tr)}, want...)
	}
	same := newTransfer(office, want[0].RecordedAt) // a tie on the time: the ID decides
	require.NoError(t, s.KeepTransfer(t.Context(), same))
	want = append(want, normTransfer(same))
	want = sortTransfers(want)
	require.NoError(t, s.KeepTransfer(t.Context(), newTransfer(other, at(0))))

	assert.Equal(t, want, listTransfers(t, s, notary.TransferQuery{OfficeID: office}))
	var got []notary.BankTransfer
	q := notary.TransferQuery{OfficeID: office, Limit: 4}
	for {
		page := listTransfers(t, s, q)
		got = append(got, page...)
		if len(page) < q.Limit {
			break
		}
		last := page[len(page)-1]
		q.After = &notary.Cursor{CreatedAt: last.RecordedAt, ID: last.ID}
	}
	assert.Equal(t, want, got)
	assert.Len(t, listTransfers(t, s, notary.TransferQuery{OfficeID: other}), 1)
}

// sortTransfers orders by (RecordedAt, ID) as stores list.
func sortTransfers(ts []notary.BankTransfer) []notary.BankTransfer {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && transferBefore(ts[j], ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
	return ts
}

func transferBefore(a, b notary.BankTransfer) bool {
	if !a.RecordedAt.Equal(b.RecordedAt) {
		return a.RecordedAt.Before(b.RecordedAt)
	}
	return a.ID.String() < b.ID.String()
}

// paidChange is the change paying app with kept transfer tr.
func paidChange(t *testing.T, s notary.Store, app notary.Application, tr uuid.UUID, when time.Time) notary.Change {
	next := advance(app, notary.PendingPreliminaryReview, when)
	next.Payment.Status = notary.PaymentSucceeded
	return notary.Change{Application: &next, ExpectedVersion: app.Version,
		Events: []notary.Event{nextEvent(t, s, app.ID, notary.KindApplication, app.OfficeID, when)},
		Match: &notary.TransferMatch{TransferID: tr, At: when,
			By: notary.Actor{Kind: notary.ActorAdmin, ID: "cash-1", Name: "cash@office.example"}}}
}

func testMatchCommits(t *testing.T, s notary.Store) {
	office := uuid.New()
	app := newApplication(office, "payer", 1, at(0))
	commit(t, s, createAppChange(app))
	tr := newTransfer(office, at(time.Minute))
	require.NoError(t, s.KeepTransfer(t.Context(), tr))

	c := paidChange(t, s, app, tr.ID, at(time.Hour))
	commit(t, s, c)
	assert.Equal(t, notary.PendingPreliminaryReview, getApp(t, s, app.ID).State)
	got, err := s.Transfer(t.Context(), tr.ID)
	require.NoError(t, err)
	want := tr
	want.Status, want.ApplicationID, want.MatchedAt, want.MatchedBy = notary.TransferMatched, app.ID, at(time.Hour), c.Match.By
	assert.Equal(t, normTransfer(want), normTransfer(got))
	assert.Empty(t, listTransfers(t, s, notary.TransferQuery{OfficeID: office, Status: notary.TransferUnmatched}))
	assert.Equal(t, []notary.BankTransfer{normTransfer(want)}, listTransfers(t, s, notary.TransferQuery{OfficeID: office, Status: notary.TransferMatched}))
}

func testMatchRefusals(t *testing.T, s notary.Store) {
	office := uuid.New()
	app := newApplication(office, "payer", 1, at(0))
	commit(t, s, createAppChange(app))
	tr := newTransfer(office, at(time.Minute))
	require.NoError(t, s.KeepTransfer(t.Context(), tr))
	foreign := newTransfer(uuid.New(), at(time.Minute))
	require.NoError(t, s.KeepTransfer(t.Context(), foreign))

	assert.ErrorIs(t, s.Commit(t.Context(), paidChange(t, s, app, uuid.New(), at(time.Hour))), notary.ErrNotFound)
	assert.ErrorIs(t, s.Commit(t.Context(), paidChange(t, s, app, foreign.ID, at(time.Hour))), notary.ErrNotFound, "another office's transfer")
	bad := paidChange(t, s, app, tr.ID, at(time.Hour))
	bad.Match.At = time.Time{}
	assert.ErrorIs(t, s.Commit(t.Context(), bad), notary.ErrInvalidInput)
	onFiling := createChange(newFiling(office, "filer", at(0)))
	onFiling.Match = &notary.TransferMatch{TransferID: tr.ID, At: at(time.Hour)}
	assert.ErrorIs(t, s.Commit(t.Context(), onFiling), notary.ErrInvalidInput)
	assert.Equal(t, normApp(app), normApp(getApp(t, s, app.ID)), "the refused changes left the application")

	// Matched once: a second match of the transfer changes nothing.
	commit(t, s, paidChange(t, s, app, tr.ID, at(time.Hour)))
	other := newApplication(office, "payer2", 1, at(0))
	commit(t, s, createAppChange(other))
	assert.ErrorIs(t, s.Commit(t.Context(), paidChange(t, s, other, tr.ID, at(2*time.Hour))), notary.ErrConflict)
	assert.Equal(t, normApp(other), normApp(getApp(t, s, other.ID)))
	assert.Len(t, events(t, s, other.ID), 1)
	got, err := s.Transfer(t.Context(), tr.ID)
	require.NoError(t, err)
	assert.Equal(t, app.ID, got.ApplicationID)
}

func testConcurrentMatches(t *testing.T, s notary.Store) {
	office := uuid.New()
	tr := newTransfer(office, at(time.Minute))
	require.NoError(t, s.KeepTransfer(t.Context(), tr))
	apps := make([]notary.Application, 6)
	changes := make([]notary.Change, len(apps))
	for i := range apps {
		apps[i] = newApplication(office, fmt.Sprint("payer-", i), 1, at(0))
		commit(t, s, createAppChange(apps[i]))
		changes[i] = paidChange(t, s, apps[i], tr.ID, at(time.Hour))
	}
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		won []uuid.UUID
	)
	for i := range changes {
		wg.Go(func() {
			err := s.Commit(t.Context(), changes[i])
			if err == nil {
				mu.Lock()
				won = append(won, apps[i].ID)
				mu.Unlock()
				return
			}
			assert.ErrorIs(t, err, notary.ErrConflict)
		})
	}
	wg.Wait()
	require.Len(t, won, 1, "one application is paid by the transfer")
	got, err := s.Transfer(t.Context(), tr.ID)
	require.NoError(t, err)
	assert.Equal(t, won[0], got.ApplicationID)
	for _, a := range apps {
		want := notary.AwaitingPayment
		if a.ID == won[0] {
			want = notary.PendingPreliminaryReview
		}
		assert.Equal(t, want, getApp(t, s, a.ID).State)
	}
}
