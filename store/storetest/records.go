package storetest

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// filingGroup: filings round-trip through Commit; versions and the one filing per owner hold.
var filingGroup = group{"Filing", []test{
	{"RoundTrip", testFilingRoundTrip},
	{"UpdateRoundTripAndStaleConflict", testFilingUpdateRoundTrip},
	{"CreateExistingIDConflicts", testFilingCreateExisting},
	{"UniquePerOfficeAndOwner", testFilingUniquePerOwner},
}}

// applicationGroup: applications round-trip through Commit; idempotency keys replay.
var applicationGroup = group{"Application", []test{
	{"RoundTrip", testApplicationRoundTrip},
	{"UpdateRoundTrip", testApplicationUpdateRoundTrip},
	{"CreateExistingIDConflicts", testApplicationCreateExisting},
	{"IdempotencyKeyReplay", testIdempotencyKeyReplay},
}}

// copiesGroup: a store never shares memory with its callers.
var copiesGroup = group{"Copies", []test{
	{"ReturnedFilingIsCopy", testReturnedFilingIsCopy},
	{"ReturnedApplicationIsCopy", testReturnedApplicationIsCopy},
	{"CommittedValuesAreCopied", testCommittedValuesAreCopied},
	{"ReturnedNoticesAndEventsAreCopies", testReturnedNoticesAreCopies},
}}

func testFilingRoundTrip(t *testing.T, s notary.Store) {
	ctx := t.Context()
	f := newFiling(uuid.New(), "alice", base)
	f.State = notary.FilingPendingReview
	f.Revision = 2
	approved := content("Acme Old", false)
	f.Approved = &approved
	f.ApprovedRevision = 1
	f.Reason = "营业执照模糊"
	f.UpdatedAt = at(time.Hour)
	commit(t, s, createChange(f))

	got := getFiling(t, s, f.ID)
	assert.Equal(t, normFiling(f), normFiling(got))
	assert.True(t, got.InForce())

	byOwner, err := s.FilingByOwner(ctx, f.OfficeID, "alice")
	require.NoError(t, err)
	assert.Equal(t, normFiling(f), normFiling(byOwner))

	// A filing without agent and approved revision stays without them.
	g := newFiling(f.OfficeID, "bob", base)
	g.Content.Agent = nil
	commit(t, s, createChange(g))
	got = getFiling(t, s, g.ID)
	assert.Nil(t, got.Content.Agent)
	assert.Nil(t, got.Approved)
	assert.Equal(t, normFiling(g), normFiling(got))
}

func testFilingUpdateRoundTrip(t *testing.T, s notary.Store) {
	f := newFiling(uuid.New(), "alice", base)
	commit(t, s, createChange(f))

	g := f
	g.State = notary.FilingApproved
	g.Version = 2
	c := g.Content
	g.Approved = &c
	g.ApprovedRevision = 1
	g.AuditHead = hex64("head 2")
	g.UpdatedAt = at(time.Hour)
	commit(t, s, notary.Change{
		Filing:          &g,
		ExpectedVersion: 1,
		Events:          []notary.Event{nextEvent(t, s, f.ID, notary.KindFiling, f.OfficeID, at(time.Hour))},
	})
	assert.Equal(t, normFiling(g), normFiling(getFiling(t, s, f.ID)))
	byOwner, err := s.FilingByOwner(t.Context(), f.OfficeID, "alice")
	require.NoError(t, err)
	assert.Equal(t, g.Version, byOwner.Version)

	// A writer that read version 1 loses, and changes nothing.
	stale := f
	stale.State = notary.FilingRejected
	stale.Version = 2
	err = s.Commit(t.Context(), notary.Change{
		Filing:          &stale,
		ExpectedVersion: 1,
		Events:          []notary.Event{newEvent(f.ID, notary.KindFiling, f.OfficeID, 3, "stale", at(time.Hour))},
		Notices:         []notary.Notice{newNotice(f.OfficeID, f.ID, notary.KindFiling, at(time.Hour))},
	})
	requireIs(t, err, notary.ErrConflict)
	assert.Equal(t, normFiling(g), normFiling(getFiling(t, s, f.ID)))
	assert.Len(t, events(t, s, f.ID), 2)
	assert.Empty(t, noticesIn(t, s, notary.NoticePending))
}

func testFilingCreateExisting(t *testing.T, s notary.Store) {
	f := newFiling(uuid.New(), "alice", base)
	commit(t, s, createChange(f))
	again := f
	again.Content.EnterpriseName = "Other"
	c := notary.Change{Filing: &again, Events: []notary.Event{newEvent(f.ID, notary.KindFiling, f.OfficeID, 2, "x", base)}}
	requireIs(t, s.Commit(t.Context(), c), notary.ErrConflict)
	assert.Equal(t, normFiling(f), normFiling(getFiling(t, s, f.ID)))
	assert.Len(t, events(t, s, f.ID), 1)
}

func testFilingUniquePerOwner(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	f1 := newFiling(office, "alice", base)
	commit(t, s, createChange(f1))

	f2 := newFiling(office, "alice", at(time.Minute))
	c := createChange(f2)
	c.Notices = []notary.Notice{newNotice(office, f2.ID, notary.KindFiling, at(time.Minute))}
	requireIs(t, s.Commit(ctx, c), notary.ErrConflict)
	_, err := s.Filing(ctx, f2.ID)
	requireIs(t, err, notary.ErrNotFound)
	assert.Empty(t, events(t, s, f2.ID))
	assert.Empty(t, noticesIn(t, s, notary.NoticePending))
	byOwner, err := s.FilingByOwner(ctx, office, "alice")
	require.NoError(t, err)
	assert.Equal(t, f1.ID, byOwner.ID)

	// The same user at another office, and another user at this office.
	commit(t, s, createChange(newFiling(uuid.New(), "alice", base)))
	commit(t, s, createChange(newFiling(office, "bob", base)))
}

// ---------------------------------------------------------------------------
// Application.

func testApplicationRoundTrip(t *testing.T, s notary.Store) {
	ctx := t.Context()
	a := fullApplication(uuid.New(), "alice", 3, base)
	commit(t, s, createAppChange(a))

	got := getApp(t, s, a.ID)
	assert.Equal(t, normApp(a), normApp(got))
	assert.True(t, a.Quote.Amount.Equal(got.Quote.Amount), "quote amount %s, got %s", a.Quote.Amount, got.Quote.Amount)
	assert.True(t, a.Refund.Amount.Equal(got.Refund.Amount))

	byKey, err := s.ApplicationByKey(ctx, a.OfficeID, "alice", a.IdempotencyKey)
	require.NoError(t, err)
	assert.Equal(t, normApp(a), normApp(byKey))

	// The minimal application keeps its nil pointers.
	b := newApplication(a.OfficeID, "alice", 1, base)
	commit(t, s, createAppChange(b))
	got = getApp(t, s, b.ID)
	assert.Nil(t, got.Materials)
	assert.Nil(t, got.Certificate)
	assert.Nil(t, got.Refund)
	assert.Equal(t, normApp(b), normApp(got))
}

func testApplicationUpdateRoundTrip(t *testing.T, s notary.Store) {
	a := newApplication(uuid.New(), "alice", 2, base)
	commit(t, s, createAppChange(a))

	b := advance(a, notary.PendingPreliminaryReview, at(time.Hour))
	b.Payment.Status = notary.PaymentSucceeded
	b.Payment.PaidAt = at(time.Hour)
	b.Materials = &notary.Shipment{Carrier: "SF", TrackingNumber: "SF1", At: at(time.Hour)}
	b.Refund = &notary.Refund{ID: "r1", Amount: decimal.RequireFromString("1.10"), Currency: "CNY", At: at(time.Hour)}
	commit(t, s, notary.Change{
		Application:     &b,
		ExpectedVersion: 1,
		Events:          []notary.Event{nextEvent(t, s, a.ID, notary.KindApplication, a.OfficeID, at(time.Hour))},
	})
	assert.Equal(t, normApp(b), normApp(getApp(t, s, a.ID)))
}

func testApplicationCreateExisting(t *testing.T, s notary.Store) {
	a := newApplication(uuid.New(), "alice", 1, base)
	commit(t, s, createAppChange(a))
	again := a
	again.Evidence = []notary.Evidence{{ID: "ev-other", Title: "x", SHA256: hex64("x")}}
	c := notary.Change{Application: &again, Reserve: []string{"ev-other"}}
	requireIs(t, s.Commit(t.Context(), c), notary.ErrConflict)
	assert.Equal(t, normApp(a), normApp(getApp(t, s, a.ID)))
	assert.Empty(t, reservations(t, s, "ev-other"))
}

func testIdempotencyKeyReplay(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	first := newApplication(office, "alice", 1, base)
	first.IdempotencyKey = "click-1"
	commit(t, s, createAppChange(first))

	second := newApplication(office, "alice", 1, at(time.Second))
	second.IdempotencyKey = "click-1"
	requireIs(t, s.Commit(ctx, createAppChange(second)), notary.ErrDuplicate)

	got, err := s.ApplicationByKey(ctx, office, "alice", "click-1")
	require.NoError(t, err)
	assert.Equal(t, first.ID, got.ID)
	_, err = s.Application(ctx, second.ID)
	requireIs(t, err, notary.ErrNotFound)

	// The same key is free for another owner and at another office.
	other := newApplication(office, "bob", 1, base)
	other.IdempotencyKey = "click-1"
	commit(t, s, createAppChange(other))
	elsewhere := newApplication(uuid.New(), "alice", 1, base)
	elsewhere.IdempotencyKey = "click-1"
	commit(t, s, createAppChange(elsewhere))
	got, err = s.ApplicationByKey(ctx, office, "bob", "click-1")
	require.NoError(t, err)
	assert.Equal(t, other.ID, got.ID)
}

// ---------------------------------------------------------------------------
// Copies.

func testReturnedFilingIsCopy(t *testing.T, s notary.Store) {
	ctx := t.Context()
	f := newFiling(uuid.New(), "alice", base)
	approved := content("Acme Approved", true)
	f.Approved = &approved
	commit(t, s, createChange(f))
	want := normFiling(getFiling(t, s, f.ID))

	mutate := func(g *notary.Filing) {
		g.Approved.EnterpriseName = "mutated"
		g.Approved.Agent.Person.Name = "mutated"
		g.Content.Agent.Person.Name = "mutated"
		g.Content.EnterpriseName = "mutated"
	}
	got := getFiling(t, s, f.ID)
	mutate(&got)
	byOwner, err := s.FilingByOwner(ctx, f.OfficeID, "alice")
	require.NoError(t, err)
	mutate(&byOwner)
	list, err := s.ListFilings(ctx, notary.ListQuery{OfficeID: f.OfficeID})
	require.NoError(t, err)
	require.Len(t, list, 1)
	mutate(&list[0])

	assert.Equal(t, want, normFiling(getFiling(t, s, f.ID)))
}

func testReturnedApplicationIsCopy(t *testing.T, s notary.Store) {
	ctx := t.Context()
	a := fullApplication(uuid.New(), "alice", 2, base)
	commit(t, s, createAppChange(a))
	want := normApp(getApp(t, s, a.ID))

	mutate := func(b *notary.Application) {
		b.Evidence[0].Title = "mutated"
		b.Evidence = append(b.Evidence[:1], notary.Evidence{ID: "x"})
		b.Quote.Lines[0].Description = "mutated"
		b.Materials.Carrier = "mutated"
		b.Certificate.TrackingNumber = "mutated"
		b.Certificate.Tracking.State = "mutated"
		b.Certificate.Tracking.Events[0].Description = "mutated"
		b.Refund.Reason = "mutated"
	}
	got := getApp(t, s, a.ID)
	mutate(&got)
	byKey, err := s.ApplicationByKey(ctx, a.OfficeID, "alice", a.IdempotencyKey)
	require.NoError(t, err)
	mutate(&byKey)
	list, err := s.ListApplications(ctx, notary.ListQuery{OfficeID: a.OfficeID})
	require.NoError(t, err)
	require.Len(t, list, 1)
	mutate(&list[0])

	assert.Equal(t, want, normApp(getApp(t, s, a.ID)))
}

func testCommittedValuesAreCopied(t *testing.T, s notary.Store) {
	office := uuid.New()
	f := newFiling(office, "alice", base)
	approved := content("Acme Approved", true)
	f.Approved = &approved
	fc := createChange(f)
	n := newNotice(office, f.ID, notary.KindFiling, base)
	fc.Notices = []notary.Notice{n}
	commit(t, s, fc)

	a := fullApplication(office, "alice", 2, base)
	ac := createAppChange(a)
	commit(t, s, ac)

	wantF := normFiling(getFiling(t, s, f.ID))
	wantA := normApp(getApp(t, s, a.ID))
	wantN := normNotice(findNotice(t, s, notary.NoticePending, n.ID))

	fc.Filing.Approved.EnterpriseName = "mutated"
	fc.Filing.Approved.Agent.Person.Name = "mutated"
	fc.Filing.Content.Agent.Person.Name = "mutated"
	ac.Application.Evidence[0].Title = "mutated"
	ac.Application.Quote.Lines[0].Description = "mutated"
	ac.Application.Materials.Carrier = "mutated"
	ac.Application.Certificate.Carrier = "mutated"
	ac.Application.Refund.Reason = "mutated"
	fc.Notices[0].Data.Evidence[0].Title = "mutated"
	fc.Notices[0].Data.Materials[0] = "mutated"
	fc.Events[0].Hash = "mutated"

	assert.Equal(t, wantF, normFiling(getFiling(t, s, f.ID)))
	assert.Equal(t, wantA, normApp(getApp(t, s, a.ID)))
	assert.Equal(t, wantN, normNotice(findNotice(t, s, notary.NoticePending, n.ID)))
	assert.NotEqual(t, "mutated", events(t, s, f.ID)[0].Hash)
}

func testReturnedNoticesAreCopies(t *testing.T, s notary.Store) {
	n := newNotice(uuid.New(), uuid.New(), notary.KindFiling, base)
	f := enqueue(t, s, n)
	want := normNotice(findNotice(t, s, notary.NoticePending, n.ID))

	listed := noticesIn(t, s, notary.NoticePending)
	require.Len(t, listed, 1)
	listed[0].Data.Evidence[0].Title = "mutated"
	listed[0].Data.Materials[0] = "mutated"
	assert.Equal(t, want, normNotice(findNotice(t, s, notary.NoticePending, n.ID)))

	claimed := claim(t, s, at(time.Minute), time.Minute, 10)
	require.Len(t, claimed, 1)
	want = normNotice(findNotice(t, s, notary.NoticePending, n.ID))
	claimed[0].Data.Evidence[0].Title = "mutated"
	claimed[0].Data.Materials[0] = "mutated"
	assert.Equal(t, want, normNotice(findNotice(t, s, notary.NoticePending, n.ID)))

	evs := events(t, s, f.ID)
	require.Len(t, evs, 1)
	evs[0].Hash = "mutated"
	assert.NotEqual(t, "mutated", events(t, s, f.ID)[0].Hash)
}
