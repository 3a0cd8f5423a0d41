package storetest

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// notFoundGroup: reads of what is not stored.
var notFoundGroup = group{"NotFound", []test{
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
}}

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
