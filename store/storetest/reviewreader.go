package storetest

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// reviewReaderGroup: the optional notary.ReviewReader.
var reviewReaderGroup = group{"ReviewReader", []test{
	{"ReadsWhatSeparateReadsRead", testReviewReads},
	{"MissingRecord", testReviewReadMissing},
}}

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
