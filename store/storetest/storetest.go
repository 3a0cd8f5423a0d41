// Package storetest is the conformance suite of [notary.Store]. Every store
// (store.NewMemory, the SQLite and PostgreSQL adapters, an integrator's own)
// must pass it:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) notary.Store { return mystore.New(t) })
//	}
package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment"
)

// Run runs the conformance suite against the stores made by newStore. It
// calls newStore once per subtest and expects a fresh, empty store each
// time (register any cleanup with t.Cleanup). Stores must keep times with at
// least microsecond precision; the suite compares times in UTC, treats nil
// and empty slices alike and compares decimals by value.
func Run(t *testing.T, newStore func(t *testing.T) notary.Store) {
	t.Helper()
	for _, g := range groups() {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
			}
		})
	}
}

type test struct {
	name string
	run  func(t *testing.T, s notary.Store)
}

type group struct {
	name  string
	tests []test
}

func groups() []group {
	return []group{
		{"NotFound", []test{
			{"Filing", testNotFoundFiling},
			{"FilingByOwner", testNotFoundFilingByOwner},
			{"Application", testNotFoundApplication},
			{"ApplicationByKey", testNotFoundApplicationByKey},
			{"AdminByID", testNotFoundAdminByID},
			{"AdminByEmail", testNotFoundAdminByEmail},
			{"Session", testNotFoundSession},
			{"SessionAdmin", testNotFoundSessionAdmin},
			{"EventsOfUnknownRecordAreEmpty", testNotFoundEvents},
			{"ReservationsOfFreeEvidenceAreEmpty", testNotFoundReservations},
		}},
		{"Filing", []test{
			{"RoundTrip", testFilingRoundTrip},
			{"UpdateRoundTripAndStaleConflict", testFilingUpdateRoundTrip},
			{"CreateExistingIDConflicts", testFilingCreateExisting},
			{"UniquePerOfficeAndOwner", testFilingUniquePerOwner},
		}},
		{"Application", []test{
			{"RoundTrip", testApplicationRoundTrip},
			{"UpdateRoundTrip", testApplicationUpdateRoundTrip},
			{"CreateExistingIDConflicts", testApplicationCreateExisting},
			{"IdempotencyKeyReplay", testIdempotencyKeyReplay},
		}},
		{"Copies", []test{
			{"ReturnedFilingIsCopy", testReturnedFilingIsCopy},
			{"ReturnedApplicationIsCopy", testReturnedApplicationIsCopy},
			{"CommittedValuesAreCopied", testCommittedValuesAreCopied},
			{"ReturnedNoticesAndEventsAreCopies", testReturnedNoticesAreCopies},
		}},
		{"Commit", []test{
			{"RequiresExactlyOneRecord", testCommitRequiresOneRecord},
			{"StaleVersionConflictsAndChangesNothing", testCommitStaleVersion},
			{"UpdateOfMissingRecordNotFound", testCommitUpdateMissing},
			{"RollbackOnReservedEvidence", testRollbackReservedEvidence},
			{"RollbackOnDuplicateDedupKey", testRollbackDedupKey},
			{"RollbackOnDuplicateIdempotencyKey", testRollbackIdempotencyKey},
			{"ConcurrentSameTransitionOneWins", testConcurrentSameTransition},
		}},
		{"Reservations", []test{
			{"ConcurrentCreateOneWins", testReservationConcurrentCreate},
			{"ReleaseThenReserveAgain", testReservationRelease},
			{"ReleaseByNonHolderIsNoop", testReservationReleaseByNonHolder},
			{"SameApplicationMayReserveAgain", testReservationSameApplication},
		}},
		{"List", []test{
			{"FilingFilters", testListFilingFilters},
			{"ApplicationFilters", testListApplicationFilters},
			{"FilingKeysetPagination", testListFilingKeyset},
			{"ApplicationKeysetPagination", testListApplicationKeyset},
			{"UpdatedAfterKeysetPagination", testListUpdatedAfterKeyset},
			{"DefaultLimit", testListDefaultLimit},
		}},
		{"Events", []test{
			{"AppendedInSeqOrder", testEventsInOrder},
		}},
		{"Outbox", []test{
			{"EnqueueDefaults", testOutboxEnqueueDefaults},
			{"EnqueueKeepsDeliveryHistory", testOutboxEnqueueHistory},
			{"ClaimLeaseAndExpiry", testOutboxClaimLease},
			{"FinishWithStaleClaimIsSkipped", testOutboxStaleClaim},
			{"FinishMixedBatch", testOutboxFinishMixedBatch},
			{"FinishInvalidBatchAppliesNothing", testOutboxFinishInvalid},
			{"DeliveredIsNotClaimable", testOutboxDelivered},
			{"RetryLater", testOutboxRetry},
			{"DeadAndRequeue", testOutboxDeadRequeue},
			{"RequeueOfLiveNoticeInvalid", testOutboxRequeueInvalid},
			{"UnknownNotice", testOutboxUnknown},
			{"ClaimOldestFirstWithLimit", testOutboxClaimOrder},
			{"ListNoticesOldestFirst", testOutboxListOrder},
			{"ConcurrentClaimersClaimEachOnce", testOutboxConcurrentClaimers},
			{"ConcurrentRelaysFinishEachOnce", testOutboxConcurrentFinishers},
		}},
		{"Inbox", []test{
			{"AddIsIdempotent", testInboxAddIdempotent},
			{"ListNewestFirstPaginated", testInboxList},
			{"UnreadCountAndMarkRead", testInboxMarkRead},
			{"UsersAreIsolated", testInboxIsolation},
		}},
		{"Admin", []test{
			{"CreateAndRead", testAdminCreate},
			{"EmailUniquePerOffice", testAdminEmailUnique},
			{"UpdateWithVersionCheck", testAdminUpdate},
			{"ListOrderedByEmail", testAdminList},
		}},
		{"Session", []test{
			{"Lifecycle", testSessionLifecycle},
			{"DeleteAdminSessions", testSessionDeleteAll},
			{"SessionAdminReadsBoth", testSessionAdmin},
			{"SessionAdminReturnsDisabledAccount", testSessionAdminDisabled},
			{"SessionAdminWithoutAccount", testSessionAdminWithoutAccount},
			{"SessionAdminAfterDelete", testSessionAdminDeleted},
		}},
		{"ReviewReader", []test{
			{"ReadsWhatSeparateReadsRead", testReviewReads},
			{"MissingRecord", testReviewReadMissing},
		}},
	}
}

// ---------------------------------------------------------------------------
// Fixtures.

var base = time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)

func at(d time.Duration) time.Time { return base.Add(d) }

func hex64(parts ...any) string {
	sum := sha256.Sum256([]byte(fmt.Sprint(parts...)))
	return hex.EncodeToString(sum[:])
}

func document(name string) notary.Document {
	return notary.Document{
		URI:       "https://files.example.com/" + name + ".pdf",
		MediaType: "application/pdf",
		Size:      int64(len(name)) * 1000,
		SHA256:    hex64(name),
	}
}

func user(id string) notary.User {
	return notary.User{ID: id, Email: id + "@example.com", Name: "用户 " + id, Locale: "zh-CN"}
}

func content(name string, agent bool) notary.FilingContent {
	c := notary.FilingContent{
		EnterpriseName:  name,
		CreditCode:      "91350100M000100Y43",
		BusinessLicense: document(name + "-licence"),
		LegalRep:        notary.Person{Name: "张三", IDType: notary.IDResident, IDNumber: "11010519491231002X"},
		LegalRepID:      document(name + "-legal-rep-id"),
		ContactAddress:  "北京市朝阳区建国路 1 号",
		ContactEmail:    "contact@example.com",
		ContactPhone:    "+86 10 1234 5678",
	}
	if agent {
		c.Agent = &notary.Agent{
			Person:          notary.Person{Name: "李四", IDType: notary.IDPassport, IDNumber: "E12345678"},
			PowerOfAttorney: document(name + "-poa"),
			IDDocument:      document(name + "-agent-id"),
		}
	}
	return c
}

func newFiling(office uuid.UUID, owner string, created time.Time) notary.Filing {
	return notary.Filing{
		ID:        uuid.New(),
		OfficeID:  office,
		Owner:     user(owner),
		State:     notary.FilingPendingReview,
		Version:   1,
		Revision:  1,
		Content:   content("Acme "+owner, true),
		AuditHead: hex64("filing head", owner),
		CreatedAt: created,
		UpdatedAt: created,
	}
}

func quote(n int) payment.Quote {
	fee := decimal.RequireFromString("20.00")
	unit := decimal.RequireFromString("150.505")
	amount := unit.Mul(decimal.NewFromInt(int64(n))).Round(2)
	return payment.Quote{
		Records:  n,
		Currency: payment.CNY,
		Lines: []payment.QuoteLine{
			{Description: "base fee", UnitPrice: fee, Amount: fee},
			{Description: fmt.Sprintf("records 1-%d", n), Records: n, UnitPrice: unit, Amount: amount},
		},
		Amount: fee.Add(amount),
	}
}

func newApplication(office uuid.UUID, owner string, n int, created time.Time) notary.Application {
	id := uuid.New()
	ev := make([]notary.Evidence, n)
	for i := range ev {
		eid := fmt.Sprintf("ev-%s-%d", id, i)
		ev[i] = notary.Evidence{ID: eid, Title: fmt.Sprintf("合同 %d", i), SHA256: hex64(eid)}
	}
	return notary.Application{
		ID:             id,
		OfficeID:       office,
		Owner:          user(owner),
		State:          notary.AwaitingPayment,
		Version:        1,
		FilingID:       uuid.New(),
		FilingRevision: 1,
		Evidence:       ev,
		Quote:          quote(n),
		Payment: notary.PaymentRef{
			Provider:    "mock",
			ID:          "pay-" + id.String(),
			CheckoutURL: "https://pay.example.com/checkout/" + id.String(),
			Status:      notary.PaymentPending,
		},
		AuditHead: hex64("application head", id),
		CreatedAt: created,
		UpdatedAt: created,
		ExpiresAt: created.Add(30 * time.Minute),
	}
}

// fullApplication sets every optional field of an application.
func fullApplication(office uuid.UUID, owner string, n int, created time.Time) notary.Application {
	a := newApplication(office, owner, n, created)
	a.State = notary.CertificateShipped
	a.Version = 7
	a.IdempotencyKey = "key-" + a.ID.String()
	a.Payment.Status = notary.PaymentSucceeded
	a.Payment.PaidAt = created.Add(time.Minute)
	a.Materials = &notary.Shipment{Carrier: "SF", TrackingNumber: "SF1234567890123", At: created.Add(time.Hour)}
	a.MaterialsAttempts = 2
	a.CertificateNumber = "(2026)京长安内经证字第 00123 号"
	a.Certificate = &notary.Shipment{Carrier: "EMS", TrackingNumber: "EE123456785CN", At: created.Add(48 * time.Hour)}
	a.Reason = "材料不清晰"
	a.Refund = &notary.Refund{
		ID:       "refund-1",
		Amount:   decimal.RequireFromString("10.50"),
		Currency: payment.CNY,
		Reason:   "partial refund",
		At:       created.Add(2 * time.Hour),
	}
	a.UpdatedAt = created.Add(49 * time.Hour)
	return a
}

func newEvent(rec uuid.UUID, kind notary.RecordKind, office uuid.UUID, seq int64, prev string, when time.Time) notary.Event {
	return notary.Event{
		ID:         uuid.New(),
		RecordID:   rec,
		RecordKind: kind,
		OfficeID:   office,
		Seq:        seq,
		Trigger:    fmt.Sprintf("trigger-%d", seq),
		From:       fmt.Sprintf("State%d", seq-1),
		To:         fmt.Sprintf("State%d", seq),
		Actor:      notary.Actor{Kind: notary.ActorUser, ID: "u-1", Name: "用户"},
		Reason:     fmt.Sprintf("reason %d", seq),
		At:         when,
		PrevHash:   prev,
		Hash:       hex64(prev, rec, seq),
	}
}

func newNotice(office, rec uuid.UUID, kind notary.RecordKind, created time.Time) notary.Notice {
	return notary.Notice{
		ID:         uuid.New(),
		OfficeID:   office,
		RecordID:   rec,
		RecordKind: kind,
		Kind:       notary.NoticeFilingApproved,
		Channel:    notary.ChannelEmail,
		To:         notary.Recipient{UserID: "u-1", Email: "u-1@example.com", Name: "用户", Locale: "zh-CN"},
		Data: notary.NoticeData{
			OfficeName:     "北京市长安公证处",
			RecordID:       rec,
			EnterpriseName: "Acme",
			Revision:       2,
			Reason:         "原因",
			Evidence:       []notary.Evidence{{ID: "ev-1", Title: "合同", SHA256: hex64("ev-1")}},
			Amount:         "320.00",
			Currency:       payment.CNY,
			Materials:      []string{"营业执照复印件", "授权委托书"},
			MailingAddress: "北京市东城区",
			Carrier:        "SF",
			TrackingNumber: "SF1234567890123",
			Automatic:      true,
		},
		CreatedAt: created,
	}
}

func createChange(f notary.Filing) notary.Change {
	return notary.Change{
		Filing: &f,
		Events: []notary.Event{newEvent(f.ID, notary.KindFiling, f.OfficeID, 1, "", f.CreatedAt)},
	}
}

func createAppChange(a notary.Application) notary.Change {
	return notary.Change{
		Application: &a,
		Events:      []notary.Event{newEvent(a.ID, notary.KindApplication, a.OfficeID, 1, "", a.CreatedAt)},
		Reserve:     a.EvidenceIDs(),
	}
}

func commit(t *testing.T, s notary.Store, c notary.Change) {
	t.Helper()
	require.NoError(t, s.Commit(t.Context(), c))
}

// nextEvent builds the event that follows the record's stored trail.
func nextEvent(t *testing.T, s notary.Store, rec uuid.UUID, kind notary.RecordKind, office uuid.UUID, when time.Time) notary.Event {
	t.Helper()
	evs, err := s.Events(t.Context(), rec)
	require.NoError(t, err)
	prev := ""
	if len(evs) > 0 {
		prev = evs[len(evs)-1].Hash
	}
	return newEvent(rec, kind, office, int64(len(evs)+1), prev, when)
}

// advance returns the application moved to state, one version later.
func advance(a notary.Application, state notary.ApplicationState, when time.Time) notary.Application {
	a.State = state
	a.Version++
	a.UpdatedAt = when
	a.Evidence = slices.Clone(a.Evidence)
	return a
}

// enqueue commits notices with a new filing of their own.
func enqueue(t *testing.T, s notary.Store, notices ...notary.Notice) notary.Filing {
	t.Helper()
	f := newFiling(uuid.New(), uuid.NewString(), base)
	c := createChange(f)
	c.Notices = notices
	commit(t, s, c)
	return f
}

// ---------------------------------------------------------------------------
// Normalisation: stores keep times in UTC with microseconds, may return
// empty slices as nil, and may return decimals with another exponent.

func nt(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

func nd(d decimal.Decimal) decimal.Decimal { return decimal.RequireFromString(d.String()) }

func nilIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

func normShipment(p *notary.Shipment) *notary.Shipment {
	if p == nil {
		return nil
	}
	v := *p
	v.At = nt(v.At)
	return &v
}

func normContent(c notary.FilingContent) notary.FilingContent {
	if c.Agent != nil {
		a := *c.Agent
		c.Agent = &a
	}
	return c
}

func normFiling(f notary.Filing) notary.Filing {
	f.Content = normContent(f.Content)
	if f.Approved != nil {
		a := normContent(*f.Approved)
		f.Approved = &a
	}
	f.CreatedAt, f.UpdatedAt = nt(f.CreatedAt), nt(f.UpdatedAt)
	return f
}

func normApp(a notary.Application) notary.Application {
	a.Evidence = nilIfEmpty(a.Evidence)
	a.Quote.Lines = nilIfEmpty(a.Quote.Lines)
	for i := range a.Quote.Lines {
		a.Quote.Lines[i].UnitPrice = nd(a.Quote.Lines[i].UnitPrice)
		a.Quote.Lines[i].Amount = nd(a.Quote.Lines[i].Amount)
	}
	a.Quote.Amount = nd(a.Quote.Amount)
	a.Payment.PaidAt = nt(a.Payment.PaidAt)
	a.Materials = normShipment(a.Materials)
	a.Certificate = normShipment(a.Certificate)
	if a.Refund != nil {
		r := *a.Refund
		r.Amount = nd(r.Amount)
		r.At = nt(r.At)
		a.Refund = &r
	}
	a.CreatedAt, a.UpdatedAt, a.ExpiresAt = nt(a.CreatedAt), nt(a.UpdatedAt), nt(a.ExpiresAt)
	return a
}

func normEvents(evs []notary.Event) []notary.Event {
	out := nilIfEmpty(evs)
	for i := range out {
		out[i].At = nt(out[i].At)
	}
	return out
}

func normNotice(n notary.Notice) notary.Notice {
	n.Data.Evidence = nilIfEmpty(n.Data.Evidence)
	n.Data.Materials = nilIfEmpty(n.Data.Materials)
	n.CreatedAt, n.NextAttemptAt = nt(n.CreatedAt), nt(n.NextAttemptAt)
	n.LeaseUntil, n.DeliveredAt = nt(n.LeaseUntil), nt(n.DeliveredAt)
	return n
}

func normInbox(m notary.InboxMessage) notary.InboxMessage {
	m.CreatedAt, m.ReadAt = nt(m.CreatedAt), nt(m.ReadAt)
	return m
}

func normAdmin(a notary.AdminAccount) notary.AdminAccount {
	a.LockedUntil, a.CreatedAt, a.UpdatedAt = nt(a.LockedUntil), nt(a.CreatedAt), nt(a.UpdatedAt)
	return a
}

func normSession(s notary.Session) notary.Session {
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = nt(s.CreatedAt), nt(s.LastSeenAt), nt(s.ExpiresAt)
	return s
}

// ---------------------------------------------------------------------------
// Reading helpers.

func getFiling(t *testing.T, s notary.Store, id uuid.UUID) notary.Filing {
	t.Helper()
	f, err := s.Filing(t.Context(), id)
	require.NoError(t, err)
	return f
}

func getApp(t *testing.T, s notary.Store, id uuid.UUID) notary.Application {
	t.Helper()
	a, err := s.Application(t.Context(), id)
	require.NoError(t, err)
	return a
}

func events(t *testing.T, s notary.Store, id uuid.UUID) []notary.Event {
	t.Helper()
	evs, err := s.Events(t.Context(), id)
	require.NoError(t, err)
	return evs
}

func noticesIn(t *testing.T, s notary.Store, status notary.NoticeStatus) []notary.Notice {
	t.Helper()
	ns, err := s.ListNotices(t.Context(), status, 10000)
	require.NoError(t, err)
	return ns
}

func normNotices(ns []notary.Notice) []notary.Notice {
	out := make([]notary.Notice, len(ns))
	for i, n := range ns {
		out[i] = normNotice(n)
	}
	return out
}

func noticeIDs(ns []notary.Notice) []uuid.UUID {
	ids := make([]uuid.UUID, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	return ids
}

func findNotice(t *testing.T, s notary.Store, status notary.NoticeStatus, id uuid.UUID) notary.Notice {
	t.Helper()
	for _, n := range noticesIn(t, s, status) {
		if n.ID == id {
			return n
		}
	}
	require.Failf(t, "notice not found", "notice %s not listed as %s", id, status)
	return notary.Notice{}
}

func claim(t *testing.T, s notary.Store, now time.Time, lease time.Duration, limit int) []notary.Notice {
	t.Helper()
	ns, err := s.ClaimNotices(t.Context(), now, lease, limit)
	require.NoError(t, err)
	return ns
}

// finish records results with one FinishNotices call and returns the stale
// IDs.
func finish(t *testing.T, s notary.Store, results ...notary.NoticeResult) []uuid.UUID {
	t.Helper()
	stale, err := s.FinishNotices(t.Context(), results)
	require.NoError(t, err)
	return stale
}

// finishOne records one result and requires it to be applied.
func finishOne(t *testing.T, s notary.Store, id, claim uuid.UUID, o notary.NoticeOutcome) {
	t.Helper()
	require.Empty(t, finish(t, s, notary.NoticeResult{ID: id, Claim: claim, Outcome: o}), "stale")
}

func reservations(t *testing.T, s notary.Store, ids ...string) map[string]uuid.UUID {
	t.Helper()
	r, err := s.Reservations(t.Context(), ids)
	require.NoError(t, err)
	return r
}

func requireIs(t *testing.T, err, target error, msgAndArgs ...any) {
	t.Helper()
	require.Error(t, err, msgAndArgs...)
	require.ErrorIs(t, err, target, msgAndArgs...)
}

// appState is everything a failed Commit on an application must leave as
// it was.
type appState struct {
	App          notary.Application
	Events       []notary.Event
	Pending      []uuid.UUID
	Reservations map[string]uuid.UUID
}

func snapshot(t *testing.T, s notary.Store, id uuid.UUID, evidence ...string) appState {
	t.Helper()
	a, err := s.Application(t.Context(), id)
	if !errors.Is(err, notary.ErrNotFound) {
		require.NoError(t, err)
	}
	return appState{
		App:          normApp(a),
		Events:       normEvents(events(t, s, id)),
		Pending:      noticeIDs(noticesIn(t, s, notary.NoticePending)),
		Reservations: reservations(t, s, evidence...),
	}
}

func pos(created time.Time, id uuid.UUID) notary.Cursor {
	return notary.Cursor{CreatedAt: created, ID: id}
}

func sortCursors(cs []notary.Cursor) {
	sort.Slice(cs, func(i, j int) bool {
		if c := cs[i].CreatedAt.Compare(cs[j].CreatedAt); c != 0 {
			return c < 0
		}
		return bytes.Compare(cs[i].ID[:], cs[j].ID[:]) < 0
	})
}

func cursorIDs(cs []notary.Cursor) []uuid.UUID {
	ids := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

// ---------------------------------------------------------------------------
// NotFound.

func testNotFoundFiling(t *testing.T, s notary.Store) {
	_, err := s.Filing(t.Context(), uuid.New())
	requireIs(t, err, notary.ErrNotFound)
}

func testNotFoundFilingByOwner(t *testing.T, s notary.Store) {
	f := newFiling(uuid.New(), "alice", base)
	commit(t, s, createChange(f))
	_, err := s.FilingByOwner(t.Context(), f.OfficeID, "bob")
	requireIs(t, err, notary.ErrNotFound)
	_, err = s.FilingByOwner(t.Context(), uuid.New(), "alice")
	requireIs(t, err, notary.ErrNotFound)
}

func testNotFoundApplication(t *testing.T, s notary.Store) {
	_, err := s.Application(t.Context(), uuid.New())
	requireIs(t, err, notary.ErrNotFound)
}

func testNotFoundApplicationByKey(t *testing.T, s notary.Store) {
	office := uuid.New()
	a := newApplication(office, "alice", 1, base) // no idempotency key
	commit(t, s, createAppChange(a))
	b := newApplication(office, "alice", 1, base)
	b.IdempotencyKey = "k1"
	commit(t, s, createAppChange(b))

	for _, q := range []struct {
		office     uuid.UUID
		owner, key string
	}{
		{office, "alice", ""}, // an application without key is not found by ""
		{office, "alice", "k2"},
		{office, "bob", "k1"},
		{uuid.New(), "alice", "k1"},
	} {
		_, err := s.ApplicationByKey(t.Context(), q.office, q.owner, q.key)
		requireIs(t, err, notary.ErrNotFound, "%+v", q)
	}
}

func testNotFoundAdminByID(t *testing.T, s notary.Store) {
	_, err := s.AdminByID(t.Context(), uuid.New())
	requireIs(t, err, notary.ErrNotFound)
}

func testNotFoundAdminByEmail(t *testing.T, s notary.Store) {
	a := newAdmin(uuid.New(), "alice@example.com")
	require.NoError(t, s.CreateAdmin(t.Context(), a, adminEvent(a, 1, "")))
	_, err := s.AdminByEmail(t.Context(), a.OfficeID, "bob@example.com")
	requireIs(t, err, notary.ErrNotFound)
	_, err = s.AdminByEmail(t.Context(), uuid.New(), "alice@example.com")
	requireIs(t, err, notary.ErrNotFound)
}

func testNotFoundSession(t *testing.T, s notary.Store) {
	_, err := s.Session(t.Context(), hex64("no such token"))
	requireIs(t, err, notary.ErrNotFound)
}

func testNotFoundSessionAdmin(t *testing.T, s notary.Store) {
	_, _, err := s.SessionAdmin(t.Context(), hex64("no such token"))
	requireIs(t, err, notary.ErrNotFound)
}

func testNotFoundEvents(t *testing.T, s notary.Store) {
	evs, err := s.Events(t.Context(), uuid.New())
	require.NoError(t, err)
	assert.Empty(t, evs)
}

func testNotFoundReservations(t *testing.T, s notary.Store) {
	assert.Empty(t, reservations(t, s, "ev-free-1", "ev-free-2"))
	assert.Empty(t, reservations(t, s))
}

// ---------------------------------------------------------------------------
// Filing.

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

// ---------------------------------------------------------------------------
// Commit.

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

	cancelled := advance(b, notary.Cancelled, at(time.Hour))
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

// ---------------------------------------------------------------------------
// List.

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
	assert.Len(t, listAppIDs(t, s, notary.ListQuery{OfficeID: office}), 50)
	assert.Len(t, listAppIDs(t, s, notary.ListQuery{OfficeID: office, Limit: -1}), 50)
	assert.Len(t, listAppIDs(t, s, notary.ListQuery{OfficeID: office, Limit: 7}), 7)
	assert.Len(t, listAppIDs(t, s, notary.ListQuery{OfficeID: office, Limit: 100}), 60)
}

// ---------------------------------------------------------------------------
// Events.

func testEventsInOrder(t *testing.T, s notary.Store) {
	office := uuid.New()
	f := newFiling(office, "alice", base)
	c := createChange(f)
	want := slices.Clone(c.Events)
	commit(t, s, c)

	cur := f
	for i := 1; i <= 3; i++ {
		next := cur
		next.Version++
		next.UpdatedAt = at(time.Duration(i) * time.Hour)
		// Two events in one change, the second chained to the first.
		e1 := nextEvent(t, s, f.ID, notary.KindFiling, office, next.UpdatedAt)
		e2 := newEvent(f.ID, notary.KindFiling, office, e1.Seq+1, e1.Hash, next.UpdatedAt.Add(time.Microsecond))
		commit(t, s, notary.Change{Filing: &next, ExpectedVersion: cur.Version, Events: []notary.Event{e1, e2}})
		want = append(want, e1, e2)
		cur = next
	}

	got := events(t, s, f.ID)
	require.Len(t, got, 7)
	for i, e := range got {
		assert.Equal(t, int64(i+1), e.Seq)
		if i > 0 {
			assert.Equal(t, got[i-1].Hash, e.PrevHash)
		}
	}
	assert.Equal(t, normEvents(want), normEvents(got))
	assert.Empty(t, events(t, s, uuid.New()))
}

// ---------------------------------------------------------------------------
// Outbox.

func testOutboxEnqueueDefaults(t *testing.T, s notary.Store) {
	office := uuid.New()
	n1 := newNotice(office, uuid.New(), notary.KindFiling, base)
	n2 := newNotice(office, uuid.New(), notary.KindApplication, at(time.Second))
	n2.Channel = notary.ChannelInSite
	n2.To = notary.Recipient{Email: "office@example.com"}
	n2.Data = notary.NoticeData{RecordID: n2.RecordID}
	n2.NextAttemptAt = at(time.Hour)
	enqueue(t, s, n1, n2)

	got := noticesIn(t, s, notary.NoticePending)
	require.Len(t, got, 2)
	want1 := n1
	want1.Status = notary.NoticePending
	want1.NextAttemptAt = n1.CreatedAt
	want2 := n2
	want2.Status = notary.NoticePending
	assert.Equal(t, normNotice(want1), normNotice(got[0]))
	assert.Equal(t, normNotice(want2), normNotice(got[1]))
	assert.Zero(t, got[0].Attempts)
	assert.Equal(t, uuid.Nil, got[0].Claim)
	assert.Empty(t, noticesIn(t, s, notary.NoticeDelivered))
	assert.Empty(t, noticesIn(t, s, notary.NoticeDead))
}

// testOutboxEnqueueHistory commits notices that carry delivery bookkeeping
// (as a host moving its outbox from another store would): each is stored
// as given, not reset to a fresh notice.
func testOutboxEnqueueHistory(t *testing.T, s notary.Store) {
	office := uuid.New()
	dead := newNotice(office, uuid.New(), notary.KindApplication, base)
	dead.Status, dead.Attempts, dead.LastError = notary.NoticeDead, 5, "550 no such user"
	dead.NextAttemptAt = at(time.Hour)
	leased := newNotice(office, uuid.New(), notary.KindApplication, at(time.Second))
	leased.Status, leased.Attempts, leased.LastError = notary.NoticePending, 2, "421 busy"
	leased.Claim, leased.LeaseUntil, leased.NextAttemptAt = uuid.New(), at(time.Minute), at(time.Second)
	sent := newNotice(office, uuid.New(), notary.KindFiling, at(2*time.Second))
	sent.Status, sent.Attempts, sent.DeliveredAt, sent.NextAttemptAt = notary.NoticeDelivered, 1, at(3*time.Second), sent.CreatedAt
	enqueue(t, s, dead, leased, sent)

	assert.Equal(t, []notary.Notice{normNotice(dead)}, normNotices(noticesIn(t, s, notary.NoticeDead)))
	assert.Equal(t, []notary.Notice{normNotice(leased)}, normNotices(noticesIn(t, s, notary.NoticePending)))
	assert.Equal(t, []notary.Notice{normNotice(sent)}, normNotices(noticesIn(t, s, notary.NoticeDelivered)))
	assert.Empty(t, claim(t, s, at(30*time.Second), time.Minute, 10), "the lease holds")
}

func testOutboxClaimLease(t *testing.T, s notary.Store) {
	office := uuid.New()
	var want []uuid.UUID
	var ns []notary.Notice
	for i := range 3 {
		n := newNotice(office, uuid.New(), notary.KindFiling, at(time.Duration(i)*time.Second))
		ns = append(ns, n)
		want = append(want, n.ID)
	}
	enqueue(t, s, ns...)

	now := at(time.Minute)
	first := claim(t, s, now, 30*time.Second, 10)
	require.Equal(t, want, noticeIDs(first))
	tokens := map[uuid.UUID]bool{}
	for i, n := range first {
		assert.NotEqual(t, uuid.Nil, n.Claim)
		tokens[n.Claim] = true
		assert.Equal(t, 1, n.Attempts)
		assert.Equal(t, notary.NoticePending, n.Status)
		assert.Equal(t, nt(now.Add(30*time.Second)), nt(n.LeaseUntil))
		// Everything else is as committed.
		w := ns[i]
		w.Status, w.NextAttemptAt, w.Attempts, w.Claim, w.LeaseUntil = n.Status, w.CreatedAt, n.Attempts, n.Claim, n.LeaseUntil
		assert.Equal(t, normNotice(w), normNotice(n))
	}
	assert.Len(t, tokens, 3, "claim tokens are distinct")

	assert.Empty(t, claim(t, s, now.Add(10*time.Second), 30*time.Second, 10), "leased notices are not claimable")

	second := claim(t, s, now.Add(31*time.Second), 30*time.Second, 10)
	require.Equal(t, want, noticeIDs(second))
	for i, n := range second {
		assert.NotEqual(t, first[i].Claim, n.Claim, "a new claim gets a new token")
		assert.Equal(t, 2, n.Attempts)
	}
}

func testOutboxStaleClaim(t *testing.T, s notary.Store) {
	n := newNotice(uuid.New(), uuid.New(), notary.KindFiling, base)
	other := newNotice(uuid.New(), uuid.New(), notary.KindFiling, at(time.Second))
	enqueue(t, s, n, other)
	now := at(time.Minute)
	old := claim(t, s, now, time.Minute, 10)
	require.Equal(t, ids(n.ID, other.ID), noticeIDs(old))
	// The lease ends and another relay claims both notices.
	cur := claim(t, s, now.Add(2*time.Minute), time.Minute, 10)
	require.Equal(t, ids(n.ID, other.ID), noticeIDs(cur))

	done := notary.NoticeOutcome{Status: notary.NoticeDelivered, At: now.Add(2 * time.Minute)}
	// The old claim of n is stale and skipped; other's current claim is
	// applied in the same call.
	stale := finish(t, s,
		notary.NoticeResult{ID: n.ID, Claim: old[0].Claim, Outcome: done},
		notary.NoticeResult{ID: other.ID, Claim: cur[1].Claim, Outcome: done})
	assert.Equal(t, ids(n.ID), stale)
	got := findNotice(t, s, notary.NoticePending, n.ID)
	assert.Equal(t, cur[0].Claim, got.Claim, "the current claim still holds")
	assert.Equal(t, nt(cur[0].LeaseUntil), nt(got.LeaseUntil))
	assert.Zero(t, got.DeliveredAt)
	assert.Equal(t, nt(done.At), nt(findNotice(t, s, notary.NoticeDelivered, other.ID).DeliveredAt))

	assert.Equal(t, ids(n.ID), finish(t, s, notary.NoticeResult{ID: n.ID, Claim: uuid.New(), Outcome: done}))
	assert.Equal(t, ids(n.ID), finish(t, s, notary.NoticeResult{ID: n.ID, Claim: uuid.Nil, Outcome: done}))
	finishOne(t, s, n.ID, cur[0].Claim, done)
	// The claim is released: finishing again with it is stale.
	assert.Equal(t, ids(n.ID), finish(t, s, notary.NoticeResult{ID: n.ID, Claim: cur[0].Claim, Outcome: done}))
	findNotice(t, s, notary.NoticeDelivered, n.ID)

	// An unclaimed notice cannot be finished.
	m := newNotice(uuid.New(), uuid.New(), notary.KindFiling, base)
	enqueue(t, s, m)
	assert.Equal(t, ids(m.ID), finish(t, s, notary.NoticeResult{ID: m.ID, Claim: uuid.New(), Outcome: done}))
	assert.Equal(t, ids(m.ID), finish(t, s, notary.NoticeResult{ID: m.ID, Claim: uuid.Nil, Outcome: done}))
	got = findNotice(t, s, notary.NoticePending, m.ID)
	assert.Equal(t, uuid.Nil, got.Claim)
	assert.Equal(t, 0, got.Attempts)
}

// testOutboxFinishMixedBatch records every kind of outcome, with stale and
// unknown results among them, in one call.
func testOutboxFinishMixedBatch(t *testing.T, s notary.Store) {
	office := uuid.New()
	var ns []notary.Notice
	for i := range 5 {
		ns = append(ns, newNotice(office, uuid.New(), notary.KindFiling, at(time.Duration(i)*time.Second)))
	}
	enqueue(t, s, ns...)
	now := at(time.Minute)
	c := claim(t, s, now, time.Hour, 10)
	require.Equal(t, noticeIDs(ns), noticeIDs(c))

	end := now.Add(time.Second)
	unknown := uuid.New()
	stale := finish(t, s,
		notary.NoticeResult{ID: c[0].ID, Claim: c[0].Claim, Outcome: notary.NoticeOutcome{Status: notary.NoticeDelivered, At: end}},
		notary.NoticeResult{ID: unknown, Claim: uuid.New(), Outcome: notary.NoticeOutcome{Status: notary.NoticeDelivered, At: end}},
		notary.NoticeResult{ID: c[1].ID, Claim: c[1].Claim, Outcome: notary.NoticeOutcome{
			Status: notary.NoticePending, NextAttemptAt: now.Add(5 * time.Minute), Error: "421 busy", At: end}},
		notary.NoticeResult{ID: c[2].ID, Claim: uuid.New(), Outcome: notary.NoticeOutcome{Status: notary.NoticeDead, Error: "x", At: end}},
		notary.NoticeResult{ID: c[3].ID, Claim: c[3].Claim, Outcome: notary.NoticeOutcome{Status: notary.NoticeDead, Error: "550 no such user", At: end}},
		// A retry without NextAttemptAt is due when the attempt ended.
		notary.NoticeResult{ID: c[4].ID, Claim: c[4].Claim, Outcome: notary.NoticeOutcome{
			Status: notary.NoticePending, Error: "interrupted", At: end}},
	)
	assert.Equal(t, ids(unknown, c[2].ID), stale, "stale IDs in the order of the results")

	delivered := findNotice(t, s, notary.NoticeDelivered, c[0].ID)
	assert.Equal(t, nt(end), nt(delivered.DeliveredAt))
	assert.Equal(t, uuid.Nil, delivered.Claim)
	assert.Zero(t, delivered.LeaseUntil)
	assert.Equal(t, 1, delivered.Attempts)

	retry := findNotice(t, s, notary.NoticePending, c[1].ID)
	assert.Equal(t, nt(now.Add(5*time.Minute)), nt(retry.NextAttemptAt))
	assert.Equal(t, "421 busy", retry.LastError)
	assert.Equal(t, uuid.Nil, retry.Claim)
	assert.Zero(t, retry.LeaseUntil)

	skipped := findNotice(t, s, notary.NoticePending, c[2].ID)
	assert.Equal(t, c[2].Claim, skipped.Claim, "a stale result changes nothing")
	assert.Empty(t, skipped.LastError)

	dead := findNotice(t, s, notary.NoticeDead, c[3].ID)
	assert.Equal(t, "550 no such user", dead.LastError)
	assert.Equal(t, uuid.Nil, dead.Claim)

	soon := findNotice(t, s, notary.NoticePending, c[4].ID)
	assert.Equal(t, nt(end), nt(soon.NextAttemptAt))
	assert.Equal(t, "interrupted", soon.LastError)

	// Due now: only the interrupted one (the skipped one is still leased,
	// the retry waits for its backoff).
	assert.Equal(t, ids(c[4].ID), noticeIDs(claim(t, s, end, 24*time.Hour, 10)))
	assert.Equal(t, ids(c[1].ID), noticeIDs(claim(t, s, now.Add(5*time.Minute), 24*time.Hour, 10)))
	assert.Equal(t, ids(c[2].ID), noticeIDs(claim(t, s, now.Add(time.Hour), 24*time.Hour, 10)))

	assert.Empty(t, finish(t, s), "no results is a no-op")
}

// testOutboxFinishInvalid checks that a malformed call applies none of its
// results.
func testOutboxFinishInvalid(t *testing.T, s notary.Store) {
	ctx := t.Context()
	a := newNotice(uuid.New(), uuid.New(), notary.KindFiling, base)
	b := newNotice(uuid.New(), uuid.New(), notary.KindFiling, at(time.Second))
	enqueue(t, s, a, b)
	c := claim(t, s, at(time.Minute), time.Hour, 10)
	require.Len(t, c, 2)
	done := notary.NoticeOutcome{Status: notary.NoticeDelivered, At: at(time.Minute)}

	_, err := s.FinishNotices(ctx, []notary.NoticeResult{
		{ID: a.ID, Claim: c[0].Claim, Outcome: done},
		{ID: b.ID, Claim: c[1].Claim, Outcome: notary.NoticeOutcome{Status: "sent", At: at(time.Minute)}},
	})
	requireIs(t, err, notary.ErrInvalidInput)
	_, err = s.FinishNotices(ctx, []notary.NoticeResult{
		{ID: a.ID, Claim: c[0].Claim, Outcome: done},
		{ID: b.ID, Claim: c[1].Claim, Outcome: done},
		{ID: a.ID, Claim: c[0].Claim, Outcome: done},
	})
	requireIs(t, err, notary.ErrInvalidInput)
	for i, n := range c {
		got := findNotice(t, s, notary.NoticePending, n.ID)
		assert.Equal(t, c[i].Claim, got.Claim, "nothing applied")
	}
	finishOne(t, s, a.ID, c[0].Claim, done)
	finishOne(t, s, b.ID, c[1].Claim, done)
}

func testOutboxDelivered(t *testing.T, s notary.Store) {
	n := newNotice(uuid.New(), uuid.New(), notary.KindFiling, base)
	enqueue(t, s, n)
	now := at(time.Minute)
	c := claim(t, s, now, time.Minute, 10)
	require.Len(t, c, 1)
	finishOne(t, s, n.ID, c[0].Claim, notary.NoticeOutcome{Status: notary.NoticeDelivered, At: now.Add(time.Second)})

	assert.Empty(t, claim(t, s, at(1000*time.Hour), time.Minute, 10))
	assert.Empty(t, noticesIn(t, s, notary.NoticePending))
	got := findNotice(t, s, notary.NoticeDelivered, n.ID)
	assert.Equal(t, notary.NoticeDelivered, got.Status)
	assert.Equal(t, nt(now.Add(time.Second)), nt(got.DeliveredAt))
	assert.Equal(t, uuid.Nil, got.Claim)
	assert.Equal(t, 1, got.Attempts)
	assert.Empty(t, got.LastError)
}

func testOutboxRetry(t *testing.T, s notary.Store) {
	n := newNotice(uuid.New(), uuid.New(), notary.KindFiling, base)
	enqueue(t, s, n)
	now := at(time.Minute)
	c := claim(t, s, now, time.Hour, 10)
	require.Len(t, c, 1)
	finishOne(t, s, n.ID, c[0].Claim, notary.NoticeOutcome{
		Status:        notary.NoticePending,
		NextAttemptAt: now.Add(5 * time.Minute),
		Error:         "451 try again later",
		At:            now.Add(time.Second),
	})

	got := findNotice(t, s, notary.NoticePending, n.ID)
	assert.Equal(t, nt(now.Add(5*time.Minute)), nt(got.NextAttemptAt))
	assert.Equal(t, "451 try again later", got.LastError)
	assert.Equal(t, uuid.Nil, got.Claim)
	assert.Equal(t, 1, got.Attempts)

	assert.Empty(t, claim(t, s, now.Add(4*time.Minute), time.Hour, 10), "not due yet")
	// Due exactly at NextAttemptAt, although the old lease would still hold.
	again := claim(t, s, now.Add(5*time.Minute), time.Hour, 10)
	require.Len(t, again, 1)
	assert.Equal(t, 2, again[0].Attempts)
	assert.Equal(t, "451 try again later", again[0].LastError)
}

func testOutboxDeadRequeue(t *testing.T, s notary.Store) {
	ctx := t.Context()
	n := newNotice(uuid.New(), uuid.New(), notary.KindFiling, base)
	enqueue(t, s, n)
	now := at(time.Minute)
	c := claim(t, s, now, time.Minute, 10)
	require.Len(t, c, 1)
	finishOne(t, s, n.ID, c[0].Claim, notary.NoticeOutcome{
		Status: notary.NoticeDead, Error: "550 no such user", At: now.Add(time.Second),
	})

	assert.Empty(t, claim(t, s, at(1000*time.Hour), time.Minute, 10))
	assert.Empty(t, noticesIn(t, s, notary.NoticePending))
	dead := findNotice(t, s, notary.NoticeDead, n.ID)
	assert.Equal(t, "550 no such user", dead.LastError)
	assert.Equal(t, uuid.Nil, dead.Claim)

	requeued := at(2 * time.Hour)
	require.NoError(t, s.RequeueNotice(ctx, n.ID, requeued))
	assert.Empty(t, noticesIn(t, s, notary.NoticeDead))
	got := findNotice(t, s, notary.NoticePending, n.ID)
	assert.Equal(t, 0, got.Attempts)
	assert.Equal(t, nt(requeued), nt(got.NextAttemptAt))
	assert.Equal(t, uuid.Nil, got.Claim)

	assert.Empty(t, claim(t, s, requeued.Add(-time.Second), time.Minute, 10))
	again := claim(t, s, requeued, time.Minute, 10)
	require.Len(t, again, 1)
	assert.Equal(t, n.ID, again[0].ID)
	assert.Equal(t, 1, again[0].Attempts)
}

func testOutboxRequeueInvalid(t *testing.T, s notary.Store) {
	ctx := t.Context()
	pending := newNotice(uuid.New(), uuid.New(), notary.KindFiling, base)
	delivered := newNotice(uuid.New(), uuid.New(), notary.KindFiling, at(time.Second))
	enqueue(t, s, pending, delivered)
	requireIs(t, s.RequeueNotice(ctx, pending.ID, at(time.Hour)), notary.ErrInvalidTransition)

	c := claim(t, s, at(time.Minute), time.Minute, 10)
	require.Len(t, c, 2)
	requireIs(t, s.RequeueNotice(ctx, pending.ID, at(time.Hour)), notary.ErrInvalidTransition)
	finishOne(t, s, delivered.ID, c[1].Claim, notary.NoticeOutcome{Status: notary.NoticeDelivered, At: at(time.Minute)})
	requireIs(t, s.RequeueNotice(ctx, delivered.ID, at(time.Hour)), notary.ErrInvalidTransition)
	findNotice(t, s, notary.NoticeDelivered, delivered.ID)
}

func testOutboxUnknown(t *testing.T, s notary.Store) {
	ctx := t.Context()
	unknown := uuid.New()
	assert.Equal(t, ids(unknown), finish(t, s, notary.NoticeResult{ID: unknown, Claim: uuid.New(),
		Outcome: notary.NoticeOutcome{Status: notary.NoticeDelivered, At: base}}), "an unknown ID is stale")
	requireIs(t, s.RequeueNotice(ctx, uuid.New(), base), notary.ErrNotFound)
	assert.Empty(t, claim(t, s, at(time.Hour), time.Minute, 10))
}

func testOutboxClaimOrder(t *testing.T, s notary.Store) {
	office := uuid.New()
	n3 := newNotice(office, uuid.New(), notary.KindFiling, at(3*time.Second))
	n1 := newNotice(office, uuid.New(), notary.KindFiling, at(1*time.Second))
	n2 := newNotice(office, uuid.New(), notary.KindFiling, at(2*time.Second))
	late := newNotice(office, uuid.New(), notary.KindFiling, base)
	late.NextAttemptAt = at(time.Hour)
	enqueue(t, s, n3, late)
	enqueue(t, s, n1, n2)

	now := at(time.Minute)
	assert.Equal(t, ids(n1.ID, n2.ID), noticeIDs(claim(t, s, now, time.Hour, 2)))
	assert.Equal(t, ids(n3.ID), noticeIDs(claim(t, s, now, time.Hour, 2)))
	assert.Empty(t, claim(t, s, now, time.Hour, 2))
	assert.Equal(t, ids(late.ID), noticeIDs(claim(t, s, at(time.Hour), time.Hour, 2)))
}

func testOutboxListOrder(t *testing.T, s notary.Store) {
	office := uuid.New()
	var ns []notary.Notice
	for k := range 5 {
		i := (k * 3) % 5
		ns = append(ns, newNotice(office, uuid.New(), notary.KindFiling, at(time.Duration(i)*time.Second)))
	}
	enqueue(t, s, ns...)
	slices.SortFunc(ns, func(a, b notary.Notice) int { return a.CreatedAt.Compare(b.CreatedAt) })

	got, err := s.ListNotices(t.Context(), notary.NoticePending, 3)
	require.NoError(t, err)
	assert.Equal(t, noticeIDs(ns[:3]), noticeIDs(got))
	assert.Equal(t, noticeIDs(ns), noticeIDs(noticesIn(t, s, notary.NoticePending)))
}

func testOutboxConcurrentClaimers(t *testing.T, s notary.Store) {
	office := uuid.New()
	const total = 200
	var ns []notary.Notice
	for i := range total {
		ns = append(ns, newNotice(office, uuid.New(), notary.KindFiling, at(time.Duration(i)*time.Millisecond)))
	}
	for i := 0; i < total; i += 50 {
		enqueue(t, s, ns[i:i+50]...)
	}

	now := at(time.Minute)
	var mu sync.Mutex
	seen := map[uuid.UUID]int{}
	claims := 0 // bounds the loop for a store that hands out leased notices
	var failed error
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			<-start
			for {
				batch, err := s.ClaimNotices(context.Background(), now, time.Hour, 7)
				mu.Lock()
				if err != nil && failed == nil {
					failed = err
				}
				for _, n := range batch {
					seen[n.ID]++
				}
				claims += len(batch)
				tooMany := claims > total
				mu.Unlock()
				if err != nil || len(batch) == 0 || tooMany {
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()

	require.NoError(t, failed)
	assert.Len(t, seen, total)
	for _, n := range ns {
		assert.Equal(t, 1, seen[n.ID], "notice %s claimed %d times", n.ID, seen[n.ID])
	}
}

// testOutboxConcurrentFinishers runs relays that claim and finish batches
// concurrently: every notice is claimed once and ends delivered. Then a
// relay whose leases expired races the relay that reclaimed its notices:
// only the current claims apply.
func testOutboxConcurrentFinishers(t *testing.T, s notary.Store) {
	office := uuid.New()
	const total = 200
	var ns []notary.Notice
	for i := range total {
		ns = append(ns, newNotice(office, uuid.New(), notary.KindFiling, at(time.Duration(i)*time.Millisecond)))
	}
	for i := 0; i < total; i += 50 {
		enqueue(t, s, ns[i:i+50]...)
	}

	now := at(time.Minute)
	var mu sync.Mutex
	seen := map[uuid.UUID]int{}
	claims := 0
	var failed []error
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			ctx := context.Background()
			for {
				batch, err := s.ClaimNotices(ctx, now, time.Hour, 7)
				var stale []uuid.UUID
				if err == nil && len(batch) > 0 {
					results := make([]notary.NoticeResult, len(batch))
					for i, n := range batch {
						results[i] = notary.NoticeResult{ID: n.ID, Claim: n.Claim,
							Outcome: notary.NoticeOutcome{Status: notary.NoticeDelivered, At: now}}
					}
					stale, err = s.FinishNotices(ctx, results)
				}
				mu.Lock()
				if err != nil {
					failed = append(failed, err)
				}
				if len(stale) > 0 {
					failed = append(failed, fmt.Errorf("stale: %v", stale))
				}
				for _, n := range batch {
					seen[n.ID]++
				}
				claims += len(batch)
				tooMany := claims > total
				mu.Unlock()
				if err != nil || len(batch) == 0 || tooMany {
					return
				}
			}
		})
	}
	wg.Wait()
	require.Empty(t, failed)
	assert.Len(t, seen, total)
	for _, n := range ns {
		assert.Equal(t, 1, seen[n.ID], "notice %s claimed %d times", n.ID, seen[n.ID])
	}
	assert.Empty(t, noticesIn(t, s, notary.NoticePending))
	assert.Len(t, noticesIn(t, s, notary.NoticeDelivered), total)

	// Expired leases: old and current claims finish concurrently.
	more := make([]notary.Notice, 60)
	for i := range more {
		more[i] = newNotice(office, uuid.New(), notary.KindFiling, at(time.Hour+time.Duration(i)*time.Millisecond))
	}
	enqueue(t, s, more...)
	later := at(2 * time.Hour)
	old := claim(t, s, later, time.Minute, 100)
	cur := claim(t, s, later.Add(2*time.Minute), time.Hour, 100)
	require.Len(t, old, len(more))
	require.Len(t, cur, len(more))
	results := func(ns []notary.Notice, st notary.NoticeStatus) []notary.NoticeResult {
		out := make([]notary.NoticeResult, len(ns))
		for i, n := range ns {
			out[i] = notary.NoticeResult{ID: n.ID, Claim: n.Claim, Outcome: notary.NoticeOutcome{Status: st, Error: string(st), At: later}}
		}
		return out
	}
	var oldStale, curStale []uuid.UUID
	var oldErr, curErr error
	wg.Go(func() { oldStale, oldErr = s.FinishNotices(context.Background(), results(old, notary.NoticeDead)) })
	wg.Go(func() { curStale, curErr = s.FinishNotices(context.Background(), results(cur, notary.NoticeDelivered)) })
	wg.Wait()
	require.NoError(t, oldErr)
	require.NoError(t, curErr)
	assert.Equal(t, noticeIDs(old), oldStale)
	assert.Empty(t, curStale)
	assert.Empty(t, noticesIn(t, s, notary.NoticeDead))
	assert.Len(t, noticesIn(t, s, notary.NoticeDelivered), total+len(more))
}

// ---------------------------------------------------------------------------
// Inbox.

func newMessage(office uuid.UUID, userID string, created time.Time) notary.InboxMessage {
	id := uuid.New()
	return notary.InboxMessage{
		ID:        id,
		OfficeID:  office,
		UserID:    userID,
		Kind:      notary.NoticeFilingApproved,
		RecordID:  uuid.New(),
		Subject:   "备案已通过 " + id.String()[:8],
		Body:      "您的企业备案已通过审核。",
		CreatedAt: created,
	}
}

func inbox(t *testing.T, s notary.Store, office uuid.UUID, userID string, before *notary.Cursor, limit int) []notary.InboxMessage {
	t.Helper()
	ms, err := s.ListInbox(t.Context(), office, userID, before, limit)
	require.NoError(t, err)
	return ms
}

func unread(t *testing.T, s notary.Store, office uuid.UUID, userID string) int {
	t.Helper()
	n, err := s.UnreadCount(t.Context(), office, userID)
	require.NoError(t, err)
	return n
}

func messageIDs(ms []notary.InboxMessage) []uuid.UUID {
	out := make([]uuid.UUID, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func testInboxAddIdempotent(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	m := newMessage(office, "alice", base)
	require.NoError(t, s.AddInboxMessage(ctx, m))
	again := m
	again.Subject = "changed"
	require.NoError(t, s.AddInboxMessage(ctx, again))
	require.NoError(t, s.AddInboxMessage(ctx, m))

	got := inbox(t, s, office, "alice", nil, 10)
	require.Len(t, got, 1)
	assert.Equal(t, normInbox(m), normInbox(got[0]))
	assert.Equal(t, 1, unread(t, s, office, "alice"))
}

func testInboxList(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	var want []notary.Cursor
	byID := map[uuid.UUID]notary.InboxMessage{}
	for k := range 12 {
		i := (k * 5) % 12
		m := newMessage(office, "alice", at(time.Duration(i/2)*time.Second))
		require.NoError(t, s.AddInboxMessage(ctx, m))
		want = append(want, pos(m.CreatedAt, m.ID))
		byID[m.ID] = m
	}
	require.NoError(t, s.AddInboxMessage(ctx, newMessage(office, "bob", at(time.Hour))))
	sortCursors(want)
	slices.Reverse(want)

	var got []notary.Cursor
	var before *notary.Cursor
	var sizes []int
	for range 10 {
		page := inbox(t, s, office, "alice", before, 5)
		sizes = append(sizes, len(page))
		if len(page) == 0 {
			break
		}
		for _, m := range page {
			assert.Equal(t, normInbox(byID[m.ID]), normInbox(m))
			got = append(got, pos(m.CreatedAt, m.ID))
		}
		last := got[len(got)-1]
		before = &last
	}
	assert.Equal(t, []int{5, 5, 2, 0}, sizes)
	assert.Equal(t, cursorIDs(want), cursorIDs(got))
	assert.Equal(t, cursorIDs(want), messageIDs(inbox(t, s, office, "alice", nil, 0)), "limit 0 means the default")
}

func testInboxMarkRead(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	var ms []notary.InboxMessage
	for i := range 5 {
		m := newMessage(office, "alice", at(time.Duration(i)*time.Second))
		require.NoError(t, s.AddInboxMessage(ctx, m))
		ms = append(ms, m)
	}
	assert.Equal(t, 5, unread(t, s, office, "alice"))

	t1 := at(time.Hour)
	require.NoError(t, s.MarkRead(ctx, office, "alice", t1, ms[0].ID, ms[1].ID, uuid.New()))
	assert.Equal(t, 3, unread(t, s, office, "alice"))
	readAt := map[uuid.UUID]time.Time{}
	for _, m := range inbox(t, s, office, "alice", nil, 10) {
		readAt[m.ID] = m.ReadAt
	}
	assert.Equal(t, nt(t1), nt(readAt[ms[0].ID]))
	assert.Equal(t, nt(t1), nt(readAt[ms[1].ID]))
	assert.True(t, readAt[ms[2].ID].IsZero())

	t2 := at(2 * time.Hour)
	require.NoError(t, s.MarkRead(ctx, office, "alice", t2))
	assert.Equal(t, 0, unread(t, s, office, "alice"))
	for _, m := range inbox(t, s, office, "alice", nil, 10) {
		assert.False(t, m.ReadAt.IsZero())
		if m.ID != ms[0].ID && m.ID != ms[1].ID {
			assert.Equal(t, nt(t2), nt(m.ReadAt))
		}
	}
}

func testInboxIsolation(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office, other := uuid.New(), uuid.New()
	alice := newMessage(office, "alice", base)
	bob := newMessage(office, "bob", at(time.Second))
	aliceElsewhere := newMessage(other, "alice", at(2*time.Second))
	for _, m := range []notary.InboxMessage{alice, bob, aliceElsewhere} {
		require.NoError(t, s.AddInboxMessage(ctx, m))
	}

	assert.Equal(t, ids(alice.ID), messageIDs(inbox(t, s, office, "alice", nil, 10)))
	assert.Equal(t, ids(bob.ID), messageIDs(inbox(t, s, office, "bob", nil, 10)))
	assert.Equal(t, ids(aliceElsewhere.ID), messageIDs(inbox(t, s, other, "alice", nil, 10)))
	assert.Empty(t, inbox(t, s, office, "carol", nil, 10))
	assert.Equal(t, 0, unread(t, s, office, "carol"))

	// Alice cannot mark Bob's message, nor her own at another office.
	require.NoError(t, s.MarkRead(ctx, office, "alice", at(time.Hour), bob.ID, aliceElsewhere.ID))
	assert.Equal(t, 1, unread(t, s, office, "bob"))
	assert.Equal(t, 1, unread(t, s, other, "alice"))
	assert.Equal(t, 1, unread(t, s, office, "alice"))

	require.NoError(t, s.MarkRead(ctx, office, "alice", at(time.Hour)))
	assert.Equal(t, 0, unread(t, s, office, "alice"))
	assert.Equal(t, 1, unread(t, s, office, "bob"))
	assert.Equal(t, 1, unread(t, s, other, "alice"))
	assert.True(t, inbox(t, s, office, "bob", nil, 10)[0].ReadAt.IsZero())
}

// ---------------------------------------------------------------------------
// Admins and sessions.

func newAdmin(office uuid.UUID, email string) notary.AdminAccount {
	return notary.AdminAccount{
		ID:           uuid.New(),
		OfficeID:     office,
		Email:        email,
		Name:         "管理员 " + email,
		Role:         notary.RoleReviewer,
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$" + hex64(email)[:43],
		Version:      1,
		AuditHead:    hex64("admin", email),
		CreatedAt:    base,
		UpdatedAt:    base,
	}
}

func adminEvent(a notary.AdminAccount, seq int64, prev string) notary.Event {
	e := newEvent(a.ID, notary.KindAdmin, a.OfficeID, seq, prev, a.UpdatedAt)
	e.Actor = notary.Actor{Kind: notary.ActorAdmin, ID: a.ID.String(), Name: a.Email}
	return e
}

func getAdmin(t *testing.T, s notary.Store, id uuid.UUID) notary.AdminAccount {
	t.Helper()
	a, err := s.AdminByID(t.Context(), id)
	require.NoError(t, err)
	return a
}

func testAdminCreate(t *testing.T, s notary.Store) {
	ctx := t.Context()
	a := newAdmin(uuid.New(), "alice@example.com")
	a.Role = notary.RoleSupervisor
	a.FailedLogins = 2
	a.LockedUntil = at(time.Hour)
	ev := adminEvent(a, 1, "")
	require.NoError(t, s.CreateAdmin(ctx, a, ev))

	assert.Equal(t, normAdmin(a), normAdmin(getAdmin(t, s, a.ID)))
	byEmail, err := s.AdminByEmail(ctx, a.OfficeID, "alice@example.com")
	require.NoError(t, err)
	assert.Equal(t, normAdmin(a), normAdmin(byEmail))
	assert.Equal(t, normEvents([]notary.Event{ev}), normEvents(events(t, s, a.ID)))
}

func testAdminEmailUnique(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	a := newAdmin(office, "alice@example.com")
	require.NoError(t, s.CreateAdmin(ctx, a, adminEvent(a, 1, "")))

	same := newAdmin(office, "alice@example.com")
	requireIs(t, s.CreateAdmin(ctx, same, adminEvent(same, 1, "")), notary.ErrConflict)
	upper := newAdmin(office, "Alice@Example.COM")
	requireIs(t, s.CreateAdmin(ctx, upper, adminEvent(upper, 1, "")), notary.ErrConflict)
	sameID := newAdmin(office, "bob@example.com")
	sameID.ID = a.ID
	requireIs(t, s.CreateAdmin(ctx, sameID, adminEvent(sameID, 1, "")), notary.ErrConflict)

	for _, id := range []uuid.UUID{same.ID, upper.ID} {
		_, err := s.AdminByID(ctx, id)
		requireIs(t, err, notary.ErrNotFound)
		assert.Empty(t, events(t, s, id))
	}
	assert.Len(t, events(t, s, a.ID), 1)
	assert.Equal(t, normAdmin(a), normAdmin(getAdmin(t, s, a.ID)))

	elsewhere := newAdmin(uuid.New(), "alice@example.com")
	require.NoError(t, s.CreateAdmin(ctx, elsewhere, adminEvent(elsewhere, 1, "")))
}

func testAdminUpdate(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	a := newAdmin(office, "alice@example.com")
	ev1 := adminEvent(a, 1, "")
	require.NoError(t, s.CreateAdmin(ctx, a, ev1))

	a2 := a
	a2.Version = 2
	a2.Name = "Alice Li"
	a2.FailedLogins = 5
	a2.LockedUntil = at(15 * time.Minute)
	a2.Disabled = true
	a2.Role = notary.RoleSupervisor
	a2.UpdatedAt = at(time.Minute)
	ev2 := adminEvent(a2, 2, ev1.Hash)
	a2.AuditHead = ev2.Hash
	require.NoError(t, s.UpdateAdmin(ctx, a2, 1, ev2))
	assert.Equal(t, normAdmin(a2), normAdmin(getAdmin(t, s, a.ID)))
	assert.Equal(t, normEvents([]notary.Event{ev1, ev2}), normEvents(events(t, s, a.ID)))

	stale := a2
	stale.Name = "stale"
	requireIs(t, s.UpdateAdmin(ctx, stale, 1, adminEvent(stale, 3, ev2.Hash)), notary.ErrConflict)
	assert.Equal(t, normAdmin(a2), normAdmin(getAdmin(t, s, a.ID)))
	assert.Len(t, events(t, s, a.ID), 2)

	missing := newAdmin(office, "ghost@example.com")
	requireIs(t, s.UpdateAdmin(ctx, missing, 1, adminEvent(missing, 2, "")), notary.ErrNotFound)

	// Changing the email moves the lookup; taking another's email conflicts.
	b := newAdmin(office, "bob@example.com")
	require.NoError(t, s.CreateAdmin(ctx, b, adminEvent(b, 1, "")))
	b2 := b
	b2.Version = 2
	b2.Email = "alice@example.com"
	requireIs(t, s.UpdateAdmin(ctx, b2, 1, adminEvent(b2, 2, "x")), notary.ErrConflict)
	b2.Email = "robert@example.com"
	require.NoError(t, s.UpdateAdmin(ctx, b2, 1, adminEvent(b2, 2, "x")))
	got, err := s.AdminByEmail(ctx, office, "robert@example.com")
	require.NoError(t, err)
	assert.Equal(t, b.ID, got.ID)
	_, err = s.AdminByEmail(ctx, office, "bob@example.com")
	requireIs(t, err, notary.ErrNotFound)
}

func testAdminList(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	var want []uuid.UUID
	created := map[string]uuid.UUID{}
	for _, email := range []string{"carol@example.com", "alice@example.com", "bob@example.com"} {
		a := newAdmin(office, email)
		require.NoError(t, s.CreateAdmin(ctx, a, adminEvent(a, 1, "")))
		created[email] = a.ID
	}
	d := newAdmin(uuid.New(), "dave@example.com")
	require.NoError(t, s.CreateAdmin(ctx, d, adminEvent(d, 1, "")))
	for _, email := range []string{"alice@example.com", "bob@example.com", "carol@example.com"} {
		want = append(want, created[email])
	}

	list, err := s.ListAdmins(ctx, office)
	require.NoError(t, err)
	var got []uuid.UUID
	for _, a := range list {
		got = append(got, a.ID)
	}
	assert.Equal(t, want, got)
	empty, err := s.ListAdmins(ctx, uuid.New())
	require.NoError(t, err)
	assert.Empty(t, empty)
}

func newSession(admin notary.AdminAccount, token string) notary.Session {
	return notary.Session{
		TokenHash:  hex64(token),
		AdminID:    admin.ID,
		OfficeID:   admin.OfficeID,
		CreatedAt:  base,
		LastSeenAt: base,
		ExpiresAt:  at(12 * time.Hour),
	}
}

func testSessionLifecycle(t *testing.T, s notary.Store) {
	ctx := t.Context()
	a := newAdmin(uuid.New(), "alice@example.com")
	require.NoError(t, s.CreateAdmin(ctx, a, adminEvent(a, 1, "")))
	sess := newSession(a, "token-1")
	require.NoError(t, s.CreateSession(ctx, sess))
	requireIs(t, s.CreateSession(ctx, sess), notary.ErrConflict)

	got, err := s.Session(ctx, sess.TokenHash)
	require.NoError(t, err)
	assert.Equal(t, normSession(sess), normSession(got))

	require.NoError(t, s.TouchSession(ctx, sess.TokenHash, at(time.Hour)))
	got, err = s.Session(ctx, sess.TokenHash)
	require.NoError(t, err)
	want := sess
	want.LastSeenAt = at(time.Hour)
	assert.Equal(t, normSession(want), normSession(got))
	requireIs(t, s.TouchSession(ctx, hex64("unknown"), at(time.Hour)), notary.ErrNotFound)

	require.NoError(t, s.DeleteSession(ctx, sess.TokenHash))
	_, err = s.Session(ctx, sess.TokenHash)
	requireIs(t, err, notary.ErrNotFound)
	require.NoError(t, s.DeleteSession(ctx, sess.TokenHash))
	requireIs(t, s.TouchSession(ctx, sess.TokenHash, at(2*time.Hour)), notary.ErrNotFound)
}

func testSessionDeleteAll(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	a := newAdmin(office, "alice@example.com")
	b := newAdmin(office, "bob@example.com")
	for _, x := range []notary.AdminAccount{a, b} {
		require.NoError(t, s.CreateAdmin(ctx, x, adminEvent(x, 1, "")))
	}
	sessions := []notary.Session{newSession(a, "a1"), newSession(a, "a2"), newSession(b, "b1")}
	for _, x := range sessions {
		require.NoError(t, s.CreateSession(ctx, x))
	}

	require.NoError(t, s.DeleteAdminSessions(ctx, a.ID))
	for _, x := range sessions[:2] {
		_, err := s.Session(ctx, x.TokenHash)
		requireIs(t, err, notary.ErrNotFound)
	}
	_, err := s.Session(ctx, sessions[2].TokenHash)
	require.NoError(t, err)
	require.NoError(t, s.DeleteAdminSessions(ctx, a.ID))
	require.NoError(t, s.DeleteAdminSessions(ctx, uuid.New()))

	// A new session of the same admin works after the purge.
	require.NoError(t, s.CreateSession(ctx, newSession(a, "a3")))
	_, err = s.Session(ctx, hex64("a3"))
	require.NoError(t, err)
}

// sessionAdmin reads a session with its account and checks that they are
// what Session and AdminByID return.
func sessionAdmin(t *testing.T, s notary.Store, tokenHash string) (notary.Session, notary.AdminAccount) {
	t.Helper()
	ctx := t.Context()
	sess, acct, err := s.SessionAdmin(ctx, tokenHash)
	require.NoError(t, err)
	alone, err := s.Session(ctx, tokenHash)
	require.NoError(t, err)
	assert.Equal(t, normSession(alone), normSession(sess), "SessionAdmin's session is what Session returns")
	assert.Equal(t, normAdmin(getAdmin(t, s, sess.AdminID)), normAdmin(acct), "SessionAdmin's account is what AdminByID returns")
	return sess, acct
}

func testSessionAdmin(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	a := newAdmin(office, "alice@example.com")
	a.Role = notary.RoleSupervisor
	a.FailedLogins = 2
	a.LockedUntil = at(time.Hour)
	b := newAdmin(office, "bob@example.com")
	for _, x := range []notary.AdminAccount{a, b} {
		require.NoError(t, s.CreateAdmin(ctx, x, adminEvent(x, 1, "")))
	}
	sa, sb := newSession(a, "a1"), newSession(b, "b1")
	sb.LastSeenAt, sb.ExpiresAt = at(time.Minute), at(6*time.Hour)
	for _, x := range []notary.Session{sa, sb, newSession(a, "a2")} {
		require.NoError(t, s.CreateSession(ctx, x))
	}

	for _, tc := range []struct {
		sess notary.Session
		acct notary.AdminAccount
	}{{sa, a}, {sb, b}} {
		sess, acct := sessionAdmin(t, s, tc.sess.TokenHash)
		assert.Equal(t, normSession(tc.sess), normSession(sess))
		assert.Equal(t, normAdmin(tc.acct), normAdmin(acct))
	}

	// Both halves are read as they are now.
	require.NoError(t, s.TouchSession(ctx, sa.TokenHash, at(2*time.Hour)))
	a2 := a
	a2.Version, a2.Name, a2.FailedLogins, a2.LockedUntil, a2.UpdatedAt = 2, "Alice Li", 0, time.Time{}, at(time.Minute)
	ev2 := adminEvent(a2, 2, a.AuditHead)
	a2.AuditHead = ev2.Hash
	require.NoError(t, s.UpdateAdmin(ctx, a2, 1, ev2))
	sess, acct := sessionAdmin(t, s, sa.TokenHash)
	want := sa
	want.LastSeenAt = at(2 * time.Hour)
	assert.Equal(t, normSession(want), normSession(sess))
	assert.Equal(t, normAdmin(a2), normAdmin(acct))
}

func testSessionAdminDisabled(t *testing.T, s notary.Store) {
	ctx := t.Context()
	a := newAdmin(uuid.New(), "alice@example.com")
	a.Disabled = true
	require.NoError(t, s.CreateAdmin(ctx, a, adminEvent(a, 1, "")))
	sess := newSession(a, "token-1")
	require.NoError(t, s.CreateSession(ctx, sess))

	_, acct := sessionAdmin(t, s, sess.TokenHash)
	assert.True(t, acct.Disabled, "a disabled account is returned: the domain decides")
	assert.Equal(t, normAdmin(a), normAdmin(acct))
}

func testSessionAdminWithoutAccount(t *testing.T, s notary.Store) {
	ctx := t.Context()
	ghost := newAdmin(uuid.New(), "ghost@example.com") // never created
	sess := newSession(ghost, "token-1")
	require.NoError(t, s.CreateSession(ctx, sess))

	_, _, err := s.SessionAdmin(ctx, sess.TokenHash)
	requireIs(t, err, notary.ErrNotFound, "a session whose account does not exist")
	got, err := s.Session(ctx, sess.TokenHash)
	require.NoError(t, err, "the session alone is still there")
	assert.Equal(t, normSession(sess), normSession(got))
}

func testSessionAdminDeleted(t *testing.T, s notary.Store) {
	ctx := t.Context()
	a := newAdmin(uuid.New(), "alice@example.com")
	require.NoError(t, s.CreateAdmin(ctx, a, adminEvent(a, 1, "")))
	s1, s2 := newSession(a, "token-1"), newSession(a, "token-2")
	for _, x := range []notary.Session{s1, s2} {
		require.NoError(t, s.CreateSession(ctx, x))
	}
	sessionAdmin(t, s, s1.TokenHash)

	require.NoError(t, s.DeleteSession(ctx, s1.TokenHash))
	_, _, err := s.SessionAdmin(ctx, s1.TokenHash)
	requireIs(t, err, notary.ErrNotFound)
	sessionAdmin(t, s, s2.TokenHash)

	require.NoError(t, s.DeleteAdminSessions(ctx, a.ID))
	_, _, err = s.SessionAdmin(ctx, s2.TokenHash)
	requireIs(t, err, notary.ErrNotFound)
}

// ---------------------------------------------------------------------------
// ReviewReader (optional).

func reviewReader(t *testing.T, s notary.Store) notary.ReviewReader {
	t.Helper()
	rr, ok := s.(notary.ReviewReader)
	if !ok {
		t.Skip("the store does not implement the optional notary.ReviewReader")
	}
	return rr
}

// testReviewReads checks that a joint read returns, for every kind of
// session, exactly what the record read and SessionAdmin return.
func testReviewReads(t *testing.T, s notary.Store) {
	rr := reviewReader(t, s)
	ctx := t.Context()
	office := uuid.New()
	f := newFiling(office, "alice", base)
	commit(t, s, createChange(f))
	a := fullApplication(office, "alice", 2, base)
	commit(t, s, createAppChange(a))

	live := newAdmin(office, "rita@example.com")
	disabled := newAdmin(office, "gone@example.com")
	disabled.Disabled = true
	for _, x := range []notary.AdminAccount{live, disabled} {
		require.NoError(t, s.CreateAdmin(ctx, x, adminEvent(x, 1, "")))
	}
	ghost := newAdmin(office, "ghost@example.com") // never created
	sessions := map[string]string{}
	for name, sess := range map[string]notary.Session{
		"live": newSession(live, "live"), "disabled": newSession(disabled, "disabled"), "ghost": newSession(ghost, "ghost"),
	} {
		require.NoError(t, s.CreateSession(ctx, sess))
		sessions[name] = sess.TokenHash
	}
	sessions["unknown"] = hex64("never issued")

	for name, hash := range sessions {
		t.Run(name, func(t *testing.T) {
			sess, acct, err := s.SessionAdmin(ctx, hash)
			same := func(what string, got notary.SessionLookup) {
				t.Helper()
				if err != nil {
					requireIs(t, got.Err, notary.ErrNotFound, "%s: the lookup carries SessionAdmin's error", what)
					requireIs(t, err, notary.ErrNotFound)
					return
				}
				require.NoError(t, got.Err, what)
				assert.Equal(t, normSession(sess), normSession(got.Session), what)
				assert.Equal(t, normAdmin(acct), normAdmin(got.Account), what)
			}
			app, lookup, jerr := rr.ApplicationForReview(ctx, a.ID, hash)
			require.NoError(t, jerr)
			assert.Equal(t, normApp(getApp(t, s, a.ID)), normApp(app))
			same("application", lookup)

			fl, lookup, jerr := rr.FilingForReview(ctx, f.ID, hash)
			require.NoError(t, jerr)
			assert.Equal(t, normFiling(getFiling(t, s, f.ID)), normFiling(fl))
			same("filing", lookup)
		})
	}
}

func testReviewReadMissing(t *testing.T, s notary.Store) {
	rr := reviewReader(t, s)
	ctx := t.Context()
	a := newAdmin(uuid.New(), "rita@example.com")
	require.NoError(t, s.CreateAdmin(ctx, a, adminEvent(a, 1, "")))
	sess := newSession(a, "live")
	require.NoError(t, s.CreateSession(ctx, sess))

	_, _, err := rr.ApplicationForReview(ctx, uuid.New(), sess.TokenHash)
	requireIs(t, err, notary.ErrNotFound, "no such application, even with a live session")
	_, _, err = rr.FilingForReview(ctx, uuid.New(), sess.TokenHash)
	requireIs(t, err, notary.ErrNotFound, "no such filing, even with a live session")
}
