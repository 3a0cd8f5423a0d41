package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// commitGroup: Commit is atomic and refuses what its contract refuses.
var commitGroup = group{"Commit", []test{
	{"RequiresExactlyOneRecord", testCommitRequiresOneRecord},
	{"RefusesMalformedChangeAndChangesNothing", testCommitRefusesMalformed},
	{"StaleVersionConflictsAndChangesNothing", testCommitStaleVersion},
	{"UpdateOfMissingRecordNotFound", testCommitUpdateMissing},
	{"RollbackOnReservedEvidence", testRollbackReservedEvidence},
	{"RollbackOnDuplicateDedupKey", testRollbackDedupKey},
	{"RollbackOnDuplicateIdempotencyKey", testRollbackIdempotencyKey},
	{"ConcurrentSameTransitionOneWins", testConcurrentSameTransition},
}}

// reservationsGroup: evidence is held by at most one application.
var reservationsGroup = group{"Reservations", []test{
	{"ConcurrentCreateOneWins", testReservationConcurrentCreate},
	{"ReleaseThenReserveAgain", testReservationRelease},
	{"ReleaseByNonHolderIsNoop", testReservationReleaseByNonHolder},
	{"SameApplicationMayReserveAgain", testReservationSameApplication},
}}

func testCommitRequiresOneRecord(t *testing.T, s notary.Store) {
	ctx := t.Context()
	f := newFiling(uuid.New(), "alice", base)
	a := newApplication(f.OfficeID, "alice", 1, base)
	n := newNotice(f.OfficeID, f.ID, notary.KindFiling, base)

	requireIs(t, s.Commit(ctx, notary.Change{Notices: []notary.Notice{n}}), notary.ErrInvalidInput)
	requireIs(t, s.Commit(ctx, notary.Change{Filing: &f, Application: &a, Notices: []notary.Notice{n}}), notary.ErrInvalidInput)

	_, err := s.Filing(ctx, f.ID)
	requireIs(t, err, notary.ErrNotFound)
	_, err = s.Application(ctx, a.ID)
	requireIs(t, err, notary.ErrNotFound)
	assert.Empty(t, noticesIn(t, s, notary.NoticePending))
}

// testCommitRefusesMalformed spoils a valid change in each way
// notary.Change.Validate refuses: the store answers ErrInvalidInput naming
// the field, and changes nothing (the valid change, dedup key included,
// commits afterwards).
func testCommitRefusesMalformed(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	a := newApplication(office, "alice", 2, base)
	commit(t, s, createAppChange(a))
	other := newApplication(office, "bob", 1, base)
	commit(t, s, createAppChange(other))
	f := newFiling(office, "carol", base)

	valid := func() notary.Change {
		next := advance(a, notary.Cancelled, at(time.Hour))
		ev := newEvent(a.ID, notary.KindApplication, office, 2, "head", at(time.Hour))
		host := hostNotice(ev, next.Version)
		host.RecordKind = notary.KindApplication
		return notary.Change{
			Application:     &next,
			ExpectedVersion: 1,
			Events:          []notary.Event{ev},
			Notices:         []notary.Notice{newNotice(office, a.ID, notary.KindApplication, at(time.Hour)), host},
			Release:         a.EvidenceIDs(),
			DedupKey:        "provider-event-1",
		}
	}
	evidence := append(a.EvidenceIDs(), other.EvidenceIDs()...)
	before := snapshot(t, s, a.ID, evidence...)

	cases := []struct {
		name, field string
		spoil       func(c *notary.Change)
	}{
		{"NoRecord", "record", func(c *notary.Change) { c.Application = nil }},
		{"TwoRecords", "record", func(c *notary.Change) { c.Filing = &f }},
		{"FilingWithoutID", "filing.id", func(c *notary.Change) {
			g := f
			g.ID = uuid.Nil
			*c = notary.Change{Filing: &g, DedupKey: c.DedupKey}
		}},
		{"ApplicationWithoutID", "application.id", func(c *notary.Change) { c.Application.ID = uuid.Nil }},
		{"ApplicationWithoutOffice", "application.office_id", func(c *notary.Change) { c.Application.OfficeID = uuid.Nil }},
		{"NegativeExpectedVersion", "expected_version", func(c *notary.Change) { c.ExpectedVersion, c.Application.Version = -1, 0 }},
		{"VersionSkipsOne", "application.version", func(c *notary.Change) { c.Application.Version = 3 }},
		{"VersionUnchanged", "application.version", func(c *notary.Change) { c.Application.Version = 1 }},
		{"CreateAtVersionTwo", "filing.version", func(c *notary.Change) {
			g := f
			g.Version = 2
			*c = createChange(g)
			c.DedupKey = "provider-event-1"
		}},
		{"FilingReservesEvidence", "reserve", func(c *notary.Change) {
			*c = createChange(f)
			c.Reserve = []string{"ev-filing"}
		}},
		{"FilingReleasesEvidence", "release", func(c *notary.Change) {
			*c = createChange(f)
			c.Release = a.EvidenceIDs()
		}},
		{"ReservesEvidenceNotItsOwn", "reserve[0]", func(c *notary.Change) { c.Release, c.Reserve = nil, other.EvidenceIDs() }},
		{"ReleasesEvidenceNotItsOwn", "release[2]", func(c *notary.Change) { c.Release = append(c.Release, other.EvidenceIDs()...) }},
		{"ReservesAndReleasesOneID", "reserve[0]", func(c *notary.Change) { c.Reserve = a.EvidenceIDs()[1:] }},
		{"EventWithoutID", "events[0].id", func(c *notary.Change) { c.Events[0].ID = uuid.Nil }},
		{"EventOfAnotherRecord", "events[0].record_id", func(c *notary.Change) { c.Events[0].RecordID = other.ID }},
		{"EventOfAnotherKind", "events[0].record_kind", func(c *notary.Change) { c.Events[0].RecordKind = notary.KindFiling }},
		{"EventOfAnotherOffice", "events[0].office_id", func(c *notary.Change) { c.Events[0].OfficeID = uuid.New() }},
		{"SecondEventOfAnotherRecord", "events[1].record_id", func(c *notary.Change) {
			c.Events = append(c.Events, newEvent(other.ID, notary.KindApplication, office, 2, "head", at(time.Hour)))
		}},
		{"EventSeqZero", "events[0].seq", func(c *notary.Change) { c.Events[0].Seq = 0 }},
		{"HostEventOfNoEvent", "notices[1].id", func(c *notary.Change) { c.Notices[1].ID = uuid.New() }},
		{"HostEventOfAnotherRecord", "notices[1].record_id", func(c *notary.Change) { c.Notices[1].RecordID = other.ID }},
		{"HostEventAtAnotherTime", "notices[1].created_at", func(c *notary.Change) { c.Notices[1].CreatedAt = at(2 * time.Hour) }},
		{"HostEventPending", "notices[1].status", func(c *notary.Change) { c.Notices[1].Status = notary.NoticePending }},
		{"TwoHostEvents", "notices[2]", func(c *notary.Change) { c.Notices = append(c.Notices, c.Notices[1]) }},
		{"NoticeWithoutID", "notices[2].id", func(c *notary.Change) {
			n := newNotice(office, a.ID, notary.KindApplication, at(time.Hour))
			n.ID = uuid.Nil
			c.Notices = append(c.Notices, n)
		}},
		{"EmailToAHostEndpoint", "notices[2].to.endpoint", func(c *notary.Change) {
			n := newNotice(office, a.ID, notary.KindApplication, at(time.Hour))
			n.To.Endpoint = "warehouse"
			c.Notices = append(c.Notices, n)
		}},
	}
	for _, tc := range cases {
		c := valid()
		tc.spoil(&c)
		err := s.Commit(ctx, c)
		requireIs(t, err, notary.ErrInvalidInput, tc.name)
		var fe *notary.FieldError
		require.ErrorAs(t, err, &fe, tc.name)
		assert.Equal(t, tc.field, fe.Field, tc.name)
		assert.Equal(t, before, snapshot(t, s, a.ID, evidence...), tc.name)
		_, err = s.Filing(ctx, f.ID)
		requireIs(t, err, notary.ErrNotFound, tc.name)
	}
	require.NoError(t, valid().Validate())
	commit(t, s, valid())
	assert.Equal(t, int64(2), getApp(t, s, a.ID).Version)
	assert.Equal(t, map[string]uuid.UUID{other.EvidenceIDs()[0]: other.ID}, reservations(t, s, evidence...))
}

func testCommitStaleVersion(t *testing.T, s notary.Store) {
	ctx := t.Context()
	a := newApplication(uuid.New(), "alice", 2, base)
	commit(t, s, createAppChange(a))
	v2 := advance(a, notary.PendingPreliminaryReview, at(time.Minute))
	commit(t, s, notary.Change{
		Application:     &v2,
		ExpectedVersion: 1,
		Events:          []notary.Event{nextEvent(t, s, a.ID, notary.KindApplication, a.OfficeID, at(time.Minute))},
		Notices:         []notary.Notice{newNotice(a.OfficeID, a.ID, notary.KindApplication, at(time.Minute))},
	})
	evidence := append(a.EvidenceIDs(), "ev-new")
	before := snapshot(t, s, a.ID, evidence...)

	for _, expected := range []int64{1, 3, 42} {
		stale := advance(a, notary.Cancelled, at(time.Hour))
		stale.Version = expected + 1
		stale.Evidence = append(stale.Evidence, notary.Evidence{ID: "ev-new", Title: "new", SHA256: hex64("ev-new")})
		err := s.Commit(ctx, notary.Change{
			Application:     &stale,
			ExpectedVersion: expected,
			Events:          []notary.Event{newEvent(a.ID, notary.KindApplication, a.OfficeID, 3, "stale", at(time.Hour))},
			Notices:         []notary.Notice{newNotice(a.OfficeID, a.ID, notary.KindApplication, at(time.Hour))},
			Reserve:         []string{"ev-new"},
			Release:         a.EvidenceIDs(),
			DedupKey:        "evt-stale",
		})
		requireIs(t, err, notary.ErrConflict)
		assert.Equal(t, before, snapshot(t, s, a.ID, evidence...), "expected version %d", expected)
	}
	assert.Equal(t, int64(2), getApp(t, s, a.ID).Version)
}

func testCommitUpdateMissing(t *testing.T, s notary.Store) {
	ctx := t.Context()
	f := newFiling(uuid.New(), "alice", base)
	f.Version = 2
	err := s.Commit(ctx, notary.Change{
		Filing:          &f,
		ExpectedVersion: 1,
		Events:          []notary.Event{newEvent(f.ID, notary.KindFiling, f.OfficeID, 2, "", base)},
		Notices:         []notary.Notice{newNotice(f.OfficeID, f.ID, notary.KindFiling, base)},
		DedupKey:        "evt-1",
	})
	requireIs(t, err, notary.ErrNotFound)
	_, err = s.Filing(ctx, f.ID)
	requireIs(t, err, notary.ErrNotFound)

	a := newApplication(f.OfficeID, "alice", 1, base)
	a.Version = 2
	err = s.Commit(ctx, notary.Change{
		Application:     &a,
		ExpectedVersion: 1,
		Events:          []notary.Event{newEvent(a.ID, notary.KindApplication, a.OfficeID, 2, "", base)},
		Reserve:         a.EvidenceIDs(),
		DedupKey:        "evt-1",
	})
	requireIs(t, err, notary.ErrNotFound)
	_, err = s.Application(ctx, a.ID)
	requireIs(t, err, notary.ErrNotFound)

	assert.Empty(t, events(t, s, f.ID))
	assert.Empty(t, events(t, s, a.ID))
	assert.Empty(t, noticesIn(t, s, notary.NoticePending))
	assert.Empty(t, reservations(t, s, a.EvidenceIDs()...))
	// The failed commits did not record their dedup key.
	c := createChange(newFiling(f.OfficeID, "bob", base))
	c.DedupKey = "evt-1"
	commit(t, s, c)
}

func testRollbackReservedEvidence(t *testing.T, s notary.Store) {
	office := uuid.New()
	holder := newApplication(office, "alice", 1, base)
	commit(t, s, createAppChange(holder))
	b := newApplication(office, "bob", 1, base)
	commit(t, s, createAppChange(b))

	taken := holder.Evidence[0].ID
	evidence := []string{taken, b.Evidence[0].ID, "ev-b-new"}
	before := snapshot(t, s, b.ID, evidence...)
	beforeHolder := snapshot(t, s, holder.ID)

	next := advance(b, notary.PendingPreliminaryReview, at(time.Hour))
	next.Evidence = append(next.Evidence, notary.Evidence{ID: "ev-b-new"}, holder.Evidence[0])
	err := s.Commit(t.Context(), notary.Change{
		Application:     &next,
		ExpectedVersion: 1,
		Events:          []notary.Event{nextEvent(t, s, b.ID, notary.KindApplication, office, at(time.Hour))},
		Notices: []notary.Notice{
			newNotice(office, b.ID, notary.KindApplication, at(time.Hour)),
			newNotice(office, b.ID, notary.KindApplication, at(time.Hour)),
		},
		Reserve:  []string{"ev-b-new", taken},
		Release:  []string{b.Evidence[0].ID},
		DedupKey: "evt-reserved",
	})
	requireIs(t, err, notary.ErrEvidenceReserved)
	assert.Equal(t, before, snapshot(t, s, b.ID, evidence...))
	assert.Equal(t, beforeHolder, snapshot(t, s, holder.ID))
	assert.Equal(t, map[string]uuid.UUID{taken: holder.ID, b.Evidence[0].ID: b.ID}, reservations(t, s, evidence...))

	// Without the taken evidence the same change commits, dedup key included.
	next.Evidence = next.Evidence[:2]
	commit(t, s, notary.Change{
		Application:     &next,
		ExpectedVersion: 1,
		Events:          []notary.Event{nextEvent(t, s, b.ID, notary.KindApplication, office, at(time.Hour))},
		Reserve:         []string{"ev-b-new"},
		DedupKey:        "evt-reserved",
	})
	assert.Equal(t, b.ID, reservations(t, s, "ev-b-new")["ev-b-new"])
}

func testRollbackDedupKey(t *testing.T, s notary.Store) {
	office := uuid.New()
	a := newApplication(office, "alice", 1, base)
	commit(t, s, createAppChange(a))
	v2 := advance(a, notary.PendingPreliminaryReview, at(time.Minute))
	commit(t, s, notary.Change{
		Application:     &v2,
		ExpectedVersion: 1,
		Events:          []notary.Event{nextEvent(t, s, a.ID, notary.KindApplication, office, at(time.Minute))},
		DedupKey:        "provider-event-1",
	})

	evidence := []string{a.Evidence[0].ID, "ev-extra"}
	before := snapshot(t, s, a.ID, evidence...)
	v3 := advance(v2, notary.AwaitingMaterials, at(time.Hour))
	v3.Evidence = append(v3.Evidence, notary.Evidence{ID: "ev-extra", Title: "extra", SHA256: hex64("ev-extra")})
	c := notary.Change{
		Application:     &v3,
		ExpectedVersion: 2,
		Events:          []notary.Event{nextEvent(t, s, a.ID, notary.KindApplication, office, at(time.Hour))},
		Notices:         []notary.Notice{newNotice(office, a.ID, notary.KindApplication, at(time.Hour))},
		Reserve:         []string{"ev-extra"},
		Release:         []string{a.Evidence[0].ID},
		DedupKey:        "provider-event-1",
	}
	requireIs(t, s.Commit(t.Context(), c), notary.ErrDuplicate)
	assert.Equal(t, before, snapshot(t, s, a.ID, evidence...))

	// The same key is refused on another record too.
	other := createChange(newFiling(office, "bob", base))
	other.DedupKey = "provider-event-1"
	requireIs(t, s.Commit(t.Context(), other), notary.ErrDuplicate)

	c.DedupKey = "provider-event-2"
	commit(t, s, c)
	assert.Equal(t, int64(3), getApp(t, s, a.ID).Version)
	assert.Equal(t, map[string]uuid.UUID{"ev-extra": a.ID}, reservations(t, s, evidence...))
}

func testRollbackIdempotencyKey(t *testing.T, s notary.Store) {
	office := uuid.New()
	first := newApplication(office, "alice", 1, base)
	first.IdempotencyKey = "k"
	commit(t, s, createAppChange(first))

	second := newApplication(office, "alice", 2, at(time.Second))
	second.IdempotencyKey = "k"
	evidence := append(first.EvidenceIDs(), second.EvidenceIDs()...)
	before := snapshot(t, s, second.ID, evidence...)
	c := createAppChange(second)
	c.Notices = []notary.Notice{newNotice(office, second.ID, notary.KindApplication, at(time.Second))}
	c.DedupKey = "evt-k"
	requireIs(t, s.Commit(t.Context(), c), notary.ErrDuplicate)
	assert.Equal(t, before, snapshot(t, s, second.ID, evidence...))
	assert.Empty(t, events(t, s, second.ID))
	assert.Empty(t, reservations(t, s, second.EvidenceIDs()...))

	// Neither the reservations nor the dedup key were kept.
	c.Application.IdempotencyKey = "k2"
	commit(t, s, c)
	assert.Equal(t, second.ID, reservations(t, s, second.Evidence[0].ID)[second.Evidence[0].ID])
}

func testConcurrentSameTransition(t *testing.T, s notary.Store) {
	office := uuid.New()
	a := newApplication(office, "alice", 1, base)
	commit(t, s, createAppChange(a))
	pendingBefore := len(noticesIn(t, s, notary.NoticePending))

	const n = 16
	start := make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		next := advance(a, notary.PendingPreliminaryReview, at(time.Minute))
		next.Reason = fmt.Sprintf("writer %d", i)
		c := notary.Change{
			Application:     &next,
			ExpectedVersion: 1,
			Events:          []notary.Event{newEvent(a.ID, notary.KindApplication, office, 2, "h1", at(time.Minute))},
			Notices: []notary.Notice{
				newNotice(office, a.ID, notary.KindApplication, at(time.Minute)),
				newNotice(office, a.ID, notary.KindApplication, at(time.Minute)),
			},
		}
		wg.Go(func() {
			<-start
			errs[i] = s.Commit(context.Background(), c)
		})
	}
	close(start)
	wg.Wait()

	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		assert.ErrorIs(t, err, notary.ErrConflict)
	}
	assert.Equal(t, 1, wins)
	got := getApp(t, s, a.ID)
	assert.Equal(t, int64(2), got.Version)
	assert.Len(t, events(t, s, a.ID), 2)
	assert.Len(t, noticesIn(t, s, notary.NoticePending), pendingBefore+2)
}

// ---------------------------------------------------------------------------
// Reservations.

func testReservationConcurrentCreate(t *testing.T, s notary.Store) {
	office := uuid.New()
	for round := range 10 {
		shared := fmt.Sprintf("ev-shared-%d", round)
		apps := []notary.Application{
			newApplication(office, "alice", 1, base),
			newApplication(office, "bob", 1, base),
		}
		for i := range apps {
			apps[i].Evidence = append(apps[i].Evidence, notary.Evidence{ID: shared, Title: "shared"})
		}
		start := make(chan struct{})
		errs := make([]error, len(apps))
		var wg sync.WaitGroup
		for i, a := range apps {
			c := createAppChange(a)
			wg.Go(func() {
				<-start
				errs[i] = s.Commit(context.Background(), c)
			})
		}
		close(start)
		wg.Wait()

		var winner, loser notary.Application
		switch {
		case errs[0] == nil && errs[1] != nil:
			winner, loser = apps[0], apps[1]
			requireIs(t, errs[1], notary.ErrEvidenceReserved)
		case errs[1] == nil && errs[0] != nil:
			winner, loser = apps[1], apps[0]
			requireIs(t, errs[0], notary.ErrEvidenceReserved)
		default:
			require.Failf(t, "want exactly one winner", "round %d: errors %v", round, errs)
		}
		assert.Equal(t, map[string]uuid.UUID{shared: winner.ID, winner.Evidence[0].ID: winner.ID},
			reservations(t, s, shared, winner.Evidence[0].ID, loser.Evidence[0].ID))
		_, err := s.Application(t.Context(), loser.ID)
		requireIs(t, err, notary.ErrNotFound)
	}
}

func testReservationRelease(t *testing.T, s notary.Store) {
	office := uuid.New()
	a := newApplication(office, "alice", 2, base)
	commit(t, s, createAppChange(a))
	e1, e2 := a.Evidence[0].ID, a.Evidence[1].ID
	assert.Equal(t, map[string]uuid.UUID{e1: a.ID, e2: a.ID}, reservations(t, s, e1, e2, "ev-free"))

	b := newApplication(office, "bob", 0, base)
	b.Evidence = []notary.Evidence{a.Evidence[0]}
	requireIs(t, s.Commit(t.Context(), createAppChange(b)), notary.ErrEvidenceReserved)

	cancelled := advance(a, notary.Cancelled, at(time.Hour))
	commit(t, s, notary.Change{
		Application:     &cancelled,
		ExpectedVersion: 1,
		Events:          []notary.Event{nextEvent(t, s, a.ID, notary.KindApplication, office, at(time.Hour))},
		Release:         a.EvidenceIDs(),
	})
	assert.Empty(t, reservations(t, s, e1, e2))

	commit(t, s, createAppChange(b))
	assert.Equal(t, map[string]uuid.UUID{e1: b.ID}, reservations(t, s, e1, e2))
}

func testReservationReleaseByNonHolder(t *testing.T, s notary.Store) {
	office := uuid.New()
	a := newApplication(office, "alice", 1, base)
	commit(t, s, createAppChange(a))
	b := newApplication(office, "bob", 1, base)
	commit(t, s, createAppChange(b))

	// b lists a's evidence and evidence nobody holds: releasing them is a
	// no-op, only what b holds is released.
	cancelled := advance(b, notary.Cancelled, at(time.Hour))
	cancelled.Evidence = append(cancelled.Evidence, a.Evidence[0],
		notary.Evidence{ID: "ev-never-reserved", Title: "never", SHA256: hex64("ev-never-reserved")})
	commit(t, s, notary.Change{
		Application:     &cancelled,
		ExpectedVersion: 1,
		Events:          []notary.Event{nextEvent(t, s, b.ID, notary.KindApplication, office, at(time.Hour))},
		Release:         []string{a.Evidence[0].ID, b.Evidence[0].ID, "ev-never-reserved"},
	})
	assert.Equal(t, map[string]uuid.UUID{a.Evidence[0].ID: a.ID},
		reservations(t, s, a.Evidence[0].ID, b.Evidence[0].ID, "ev-never-reserved"))
}

func testReservationSameApplication(t *testing.T, s notary.Store) {
	office := uuid.New()
	a := newApplication(office, "alice", 1, base)
	commit(t, s, createAppChange(a))
	next := advance(a, notary.PendingPreliminaryReview, at(time.Hour))
	next.Evidence = append(next.Evidence, notary.Evidence{ID: "ev-more"})
	commit(t, s, notary.Change{
		Application:     &next,
		ExpectedVersion: 1,
		Events:          []notary.Event{nextEvent(t, s, a.ID, notary.KindApplication, office, at(time.Hour))},
		Reserve:         next.EvidenceIDs(),
	})
	assert.Equal(t, map[string]uuid.UUID{a.Evidence[0].ID: a.ID, "ev-more": a.ID},
		reservations(t, s, a.Evidence[0].ID, "ev-more"))
}
