package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/sqlite"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.UTC)

func application(office uuid.UUID, owner string, evidence ...string) notary.Application {
	id := uuid.New()
	a := notary.Application{
		ID: id, OfficeID: office, Owner: notary.User{ID: owner, Email: owner + "@example.com", Name: owner},
		State: notary.AwaitingPayment, Version: 1, FilingID: uuid.New(), FilingRevision: 1,
		Quote:     payment.Quote{Records: len(evidence), Currency: payment.CNY, Amount: decimal.RequireFromString("300.00")},
		Payment:   notary.PaymentRef{Provider: "mock", ID: "pay-" + id.String(), Status: notary.PaymentPending},
		CreatedAt: t0, UpdatedAt: t0, ExpiresAt: t0.Add(time.Hour),
	}
	for _, e := range evidence {
		a.Evidence = append(a.Evidence, notary.Evidence{ID: e, Title: e})
	}
	return a
}

func event(rec uuid.UUID, office uuid.UUID, seq int64) notary.Event {
	return notary.Event{
		ID: uuid.New(), RecordID: rec, RecordKind: notary.KindApplication, OfficeID: office, Seq: seq,
		Trigger: "t", From: "a", To: "b", Actor: notary.Actor{Kind: notary.ActorSystem, ID: "test"},
		At: t0, Hash: fmt.Sprint("h", seq),
	}
}

func notice(office, rec uuid.UUID) notary.Notice {
	return notary.Notice{
		ID: uuid.New(), OfficeID: office, RecordID: rec, RecordKind: notary.KindApplication,
		Kind: notary.NoticePaymentReceived, Channel: notary.ChannelEmail,
		To: notary.Recipient{Email: "u@example.com"}, CreatedAt: t0,
	}
}

func create(a notary.Application) notary.Change {
	return notary.Change{
		Application: &a, Events: []notary.Event{event(a.ID, a.OfficeID, 1)},
		Notices: []notary.Notice{notice(a.OfficeID, a.ID)}, Reserve: a.EvidenceIDs(),
	}
}

// advanced returns the change moving a from version v to v+1.
func advanced(a notary.Application, v int64) notary.Change {
	a.Version = v + 1
	a.State = notary.PendingPreliminaryReview
	a.UpdatedAt = t0.Add(time.Duration(v) * time.Minute)
	return notary.Change{
		Application: &a, ExpectedVersion: v, Events: []notary.Event{event(a.ID, a.OfficeID, v+1)},
		Notices: []notary.Notice{notice(a.OfficeID, a.ID), notice(a.OfficeID, a.ID)},
	}
}

func pending(t *testing.T, s notary.Store) int {
	t.Helper()
	ns, err := s.ListNotices(t.Context(), notary.NoticePending, 100000)
	require.NoError(t, err)
	return len(ns)
}

func TestMigrateIsIdempotent(t *testing.T) {
	ctx := t.Context()
	s, path := openFile(t)
	v, err := s.SchemaVersion(ctx)
	require.NoError(t, err)
	assert.Positive(t, v)

	a := application(uuid.New(), "alice", "ev-1")
	require.NoError(t, s.Commit(ctx, create(a)))
	require.NoError(t, s.Migrate(ctx))
	require.NoError(t, s.Migrate(ctx))
	again, err := s.SchemaVersion(ctx)
	require.NoError(t, err)
	assert.Equal(t, v, again)

	// Reopening an existing file migrates nothing and keeps the data.
	s2, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer s2.Close()
	got, err := s2.Application(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, a.Version, got.Version)

	m := openMemory(t)
	require.NoError(t, m.Migrate(ctx))
	require.NoError(t, m.Migrate(ctx))
}

func TestOpenFileSettings(t *testing.T) {
	ctx := t.Context()
	// Characters SQLite's URI parser treats specially must survive.
	path := filepath.Join(t.TempDir(), "my notary ?#%&=.db")
	s, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, s.Commit(ctx, create(application(uuid.New(), "alice", "ev-1"))))
	require.NoError(t, s.Close())

	raw, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath())
	require.NoError(t, err)
	defer raw.Close()
	var mode string
	require.NoError(t, raw.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode))
	assert.Equal(t, "wal", mode)
	var n int
	require.NoError(t, raw.QueryRowContext(ctx, `SELECT count(*) FROM applications`).Scan(&n))
	assert.Equal(t, 1, n)

	_, err = sqlite.Open(ctx, "")
	assert.ErrorIs(t, err, notary.ErrInvalidInput)
}

// TestExactValuesRoundTrip fills every field of a filing and an
// application (recursively, by reflection) and checks they come back
// identical: a field added to the domain types but not to the stored
// document fails here. Decimals keep their exponent.
func TestExactValuesRoundTrip(t *testing.T) {
	for name, s := range map[string]notary.Store{"file": func() notary.Store { s, _ := openFile(t); return s }(), "memory": openMemory(t)} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			var a notary.Application
			fill(reflect.ValueOf(&a).Elem())
			a.Version = 1
			a.Quote.Amount = decimal.RequireFromString("300.10")
			a.Quote.Lines[0].UnitPrice = decimal.RequireFromString("150.505")
			require.NoError(t, s.Commit(ctx, notary.Change{Application: &a, Reserve: a.EvidenceIDs()}))
			got, err := s.Application(ctx, a.ID)
			require.NoError(t, err)
			assert.Equal(t, a, got)
			assert.Equal(t, int32(-2), got.Quote.Amount.Exponent())
			assert.Equal(t, int32(-3), got.Quote.Lines[0].UnitPrice.Exponent())

			var f notary.Filing
			fill(reflect.ValueOf(&f).Elem())
			f.Version = 1
			require.NoError(t, s.Commit(ctx, notary.Change{Filing: &f}))
			gotF, err := s.Filing(ctx, f.ID)
			require.NoError(t, err)
			assert.Equal(t, f, gotF)
		})
	}
}

// fill sets every field reachable from v to a non-zero value.
func fill(v reflect.Value) {
	switch x := v.Addr().Interface().(type) {
	case *time.Time:
		*x = t0.Add(time.Duration(len(v.Type().String())) * time.Second)
		return
	case *uuid.UUID:
		*x = uuid.New()
		return
	case *decimal.Decimal:
		*x = decimal.RequireFromString("12.30")
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("x-" + uuid.NewString()[:8])
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(7)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range v.Len() {
			fill(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	default:
		panic("fill: unhandled kind " + v.Kind().String())
	}
}

// TestTwoStoresRaceSameTransition opens two Stores on one file and has
// them race, round after round, to move one application to its next
// version: in each round exactly one commit wins, the others fail with
// ErrConflict (never SQLITE_BUSY: losers wait for the lock), and every
// winner's events and notices are kept.
func TestTwoStoresRaceSameTransition(t *testing.T) {
	ctx := t.Context()
	s1, path := openFile(t)
	s2, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer s2.Close()
	stores := []*sqlite.Store{s1, s2}

	a := application(uuid.New(), "alice", "ev-1")
	require.NoError(t, s1.Commit(ctx, create(a)))
	const rounds, writers = 10, 8
	for v := int64(1); v <= rounds; v++ {
		start := make(chan struct{})
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for i := range writers {
			c := advanced(a, v)
			wg.Go(func() {
				<-start
				errs[i] = stores[i%2].Commit(context.Background(), c)
			})
		}
		close(start)
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
			} else {
				require.ErrorIs(t, err, notary.ErrConflict)
			}
		}
		require.Equal(t, 1, wins, "round %d", v)
	}
	for _, s := range stores {
		got, err := s.Application(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, int64(rounds+1), got.Version)
		evs, err := s.Events(ctx, a.ID)
		require.NoError(t, err)
		assert.Len(t, evs, rounds+1)
		assert.Equal(t, 1+2*rounds, pending(t, s))
	}
}

// TestTwoStoresClaimEachNoticeOnce runs claimers on two Stores sharing a
// file: every notice is claimed exactly once.
func TestTwoStoresClaimEachNoticeOnce(t *testing.T) {
	ctx := t.Context()
	s1, path := openFile(t)
	s2, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer s2.Close()

	const total = 120
	office := uuid.New()
	for range total / 6 {
		a := application(office, uuid.NewString())
		c := create(a)
		for range 5 {
			c.Notices = append(c.Notices, notice(office, a.ID))
		}
		require.NoError(t, s1.Commit(ctx, c))
	}

	var mu sync.Mutex
	seen := map[uuid.UUID]int{}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		s := []*sqlite.Store{s1, s2}[i%2]
		wg.Go(func() {
			for {
				batch, err := s.ClaimNotices(context.Background(), t0.Add(time.Hour), time.Hour, 3)
				if err != nil {
					errs <- err
					return
				}
				if len(batch) == 0 {
					return
				}
				mu.Lock()
				for _, n := range batch {
					seen[n.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Len(t, seen, total)
	for id, n := range seen {
		assert.Equal(t, 1, n, "notice %s", id)
	}
}

// TestFailingStatementRollsBack makes the last statement of a Commit fail
// after the record, reservations, events and first notice were written:
// nothing of it persists.
func TestFailingStatementRollsBack(t *testing.T) {
	for name, s := range map[string]*sqlite.Store{"file": func() *sqlite.Store { s, _ := openFile(t); return s }(), "memory": openMemory(t)} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			office := uuid.New()
			used := application(office, "bob", "ev-used")
			cu := create(used)
			cu.DedupKey = "provider-event-1"
			require.NoError(t, s.Commit(ctx, cu))
			before := pending(t, s)

			cases := map[string]func(c *notary.Change) error{
				"dedup key": func(c *notary.Change) error { c.DedupKey = "provider-event-1"; return notary.ErrDuplicate },
				"notice twice": func(c *notary.Change) error {
					c.Notices = append(c.Notices, c.Notices[0])
					return notary.ErrConflict
				},
				"event seq twice": func(c *notary.Change) error {
					c.Events = append(c.Events, event(c.Application.ID, office, 1))
					return notary.ErrConflict
				},
				"evidence held": func(c *notary.Change) error {
					c.Application.Evidence = append(c.Application.Evidence, notary.Evidence{ID: "ev-used", Title: "ev-used"})
					c.Reserve = append(c.Reserve, "ev-used")
					return notary.ErrEvidenceReserved
				},
			}
			for what, spoil := range cases {
				a := application(office, "alice", "ev-1", "ev-2")
				c := create(a)
				want := spoil(&c)
				require.ErrorIs(t, s.Commit(ctx, c), want, what)

				_, err := s.Application(ctx, a.ID)
				require.ErrorIs(t, err, notary.ErrNotFound, what)
				held, err := s.Reservations(ctx, []string{"ev-1", "ev-2", "ev-used"})
				require.NoError(t, err)
				assert.Equal(t, map[string]uuid.UUID{"ev-used": used.ID}, held, what)
				evs, err := s.Events(ctx, a.ID)
				require.NoError(t, err)
				assert.Empty(t, evs, what)
				assert.Equal(t, before, pending(t, s), what)
			}
			// The same change without the spoiler goes through.
			a := application(office, "alice", "ev-1", "ev-2")
			require.NoError(t, s.Commit(ctx, create(a)))
		})
	}
}

// holdWriteLock takes the file's write lock from a connection of its own
// until the returned function is called.
func holdWriteLock(t *testing.T, path string) (unlock func()) {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	conn, err := raw.Conn(t.Context())
	require.NoError(t, err)
	_, err = conn.ExecContext(t.Context(), `BEGIN IMMEDIATE`)
	require.NoError(t, err)
	return func() {
		_, err := conn.ExecContext(context.Background(), `ROLLBACK`)
		require.NoError(t, err)
		require.NoError(t, conn.Close())
		require.NoError(t, raw.Close())
	}
}

func TestCancelledContext(t *testing.T) {
	t.Run("before", func(t *testing.T) {
		for name, s := range map[string]*sqlite.Store{"file": func() *sqlite.Store { s, _ := openFile(t); return s }(), "memory": openMemory(t)} {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			a := application(uuid.New(), "alice", "ev-1")
			require.ErrorIs(t, s.Commit(ctx, create(a)), context.Canceled, name)
			_, err := s.ClaimNotices(ctx, t0, time.Minute, 10)
			require.ErrorIs(t, err, context.Canceled, name)
			_, err = s.Application(ctx, a.ID)
			require.ErrorIs(t, err, context.Canceled, name)

			// Nothing was stored, and the store still works.
			_, err = s.Application(t.Context(), a.ID)
			require.ErrorIs(t, err, notary.ErrNotFound, name)
			require.NoError(t, s.Commit(t.Context(), create(a)), name)
		}
	})

	t.Run("while waiting for the lock", func(t *testing.T) {
		s, path := openFile(t)
		unlock := holdWriteLock(t, path)
		ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
		defer cancel()
		a := application(uuid.New(), "alice", "ev-1")
		began := time.Now()
		err := s.Commit(ctx, create(a))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(began), sqlite.BusyTimeout*time.Millisecond, "the context, not the busy timeout, ended the wait")
		unlock()

		_, err = s.Application(t.Context(), a.ID)
		require.ErrorIs(t, err, notary.ErrNotFound)
		require.NoError(t, s.Commit(t.Context(), create(a)))
	})
}

// TestBusyWriterWaits checks that a writer blocked by another connection
// waits (busy timeout) and then succeeds instead of failing with
// SQLITE_BUSY.
func TestBusyWriterWaits(t *testing.T) {
	s, path := openFile(t)
	unlock := holdWriteLock(t, path)
	done := make(chan error, 1)
	a := application(uuid.New(), "alice", "ev-1")
	go func() { done <- s.Commit(context.Background(), create(a)) }()
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("commit finished while the lock was held: %v", err)
	default:
	}
	// Reads are not blocked by the writer in WAL mode.
	_, err := s.Application(t.Context(), a.ID)
	require.ErrorIs(t, err, notary.ErrNotFound)
	unlock()
	require.NoError(t, <-done)
	_, err = s.Application(t.Context(), a.ID)
	require.NoError(t, err)
}

func TestUseAfterClose(t *testing.T) {
	s, err := sqlite.Open(t.Context(), sqlite.Memory)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = s.Application(t.Context(), uuid.New())
	require.Error(t, err)
	assert.False(t, errors.Is(err, notary.ErrNotFound))
}

func BenchmarkCommit(b *testing.B) {
	for _, name := range []string{"file", "memory"} {
		b.Run(name, func(b *testing.B) {
			var s *sqlite.Store
			if name == "file" {
				s, _ = openFile(b)
			} else {
				s = openMemory(b)
			}
			ctx := context.Background()
			office := uuid.New()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				a := application(office, "alice", fmt.Sprint("ev-", i))
				if err := s.Commit(ctx, create(a)); err != nil {
					b.Fatal(err)
				}
				if err := s.Commit(ctx, advanced(a, 1)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestCancelMidCommitIsAtomic commits with deadlines that expire at random
// points of the transaction: each Commit either fails with the context's
// error and leaves no trace, or succeeds with everything stored; earlier
// data survives (an interrupted in-memory connection is not discarded).
func TestCancelMidCommitIsAtomic(t *testing.T) {
	for name, s := range map[string]*sqlite.Store{"file": func() *sqlite.Store { s, _ := openFile(t); return s }(), "memory": openMemory(t)} {
		t.Run(name, func(t *testing.T) {
			bg := context.Background()
			office := uuid.New()
			seed := application(office, "seed", "ev-seed")
			require.NoError(t, s.Commit(bg, create(seed)))

			type try struct {
				a   notary.Application
				err error
			}
			var tries []try
			for i := range 300 {
				ctx, cancel := context.WithTimeout(bg, time.Duration(rand.IntN(600))*time.Microsecond)
				a := application(office, fmt.Sprint("u-", i), fmt.Sprint("ev-", i), fmt.Sprint("ev-", i, "-b"))
				err := s.Commit(ctx, create(a))
				cancel()
				tries = append(tries, try{a, err})
			}

			stored, failed := 1, 0
			for _, tr := range tries {
				_, gerr := s.Application(bg, tr.a.ID)
				evs, err := s.Events(bg, tr.a.ID)
				require.NoError(t, err)
				held, err := s.Reservations(bg, tr.a.EvidenceIDs())
				require.NoError(t, err)
				if tr.err != nil {
					failed++
					require.ErrorIs(t, tr.err, context.DeadlineExceeded)
					require.ErrorIs(t, gerr, notary.ErrNotFound)
					assert.Empty(t, evs)
					assert.Empty(t, held)
					continue
				}
				stored++
				require.NoError(t, gerr)
				assert.Len(t, evs, 1)
				assert.Len(t, held, 2)
			}
			t.Logf("%d committed, %d cancelled", stored-1, failed)
			assert.Equal(t, stored, pending(t, s))
			_, err := s.Application(bg, seed.ID)
			require.NoError(t, err)
		})
	}
}

// TestBusyPastTimeoutIsUnavailable checks that a writer still locked out
// when the busy timeout ends fails with notary.ErrUnavailable (retry
// later), changing nothing, rather than with an unclassified error.
func TestBusyPastTimeoutIsUnavailable(t *testing.T) {
	t.Parallel()
	s, path := openFile(t)
	unlock := holdWriteLock(t, path)
	a := application(uuid.New(), "alice", "ev-1")
	err := s.Commit(t.Context(), create(a))
	require.ErrorIs(t, err, notary.ErrUnavailable)
	unlock()
	_, err = s.Application(t.Context(), a.ID)
	require.ErrorIs(t, err, notary.ErrNotFound)
	require.NoError(t, s.Commit(t.Context(), create(a)))
}
