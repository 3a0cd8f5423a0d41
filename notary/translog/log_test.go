package translog_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	"github.com/notarykit/notarykit/notary/translog"
	"github.com/notarykit/notarykit/store"
)

// tamperable is a store whose answers a test can falsify, as an office
// rewriting its database would.
type tamperable struct {
	notary.Store
	events      func(id uuid.UUID, evs []notary.Event) []notary.Event
	size        func(int64) int64
	hashes      func(ix []int64, hs []tlog.Hash) []tlog.Hash
	checkpoints func([]notary.LogCheckpoint) []notary.LogCheckpoint
}

func (s *tamperable) Events(ctx context.Context, id uuid.UUID) ([]notary.Event, error) {
	evs, err := s.Store.Events(ctx, id)
	if err == nil && s.events != nil {
		evs = s.events(id, evs)
	}
	return evs, err
}

func (s *tamperable) LogSize(ctx context.Context, office uuid.UUID) (int64, error) {
	n, err := s.Store.LogSize(ctx, office)
	if err == nil && s.size != nil {
		n = s.size(n)
	}
	return n, err
}

func (s *tamperable) LogHashes(ctx context.Context, office uuid.UUID, ix []int64) ([]tlog.Hash, error) {
	hs, err := s.Store.LogHashes(ctx, office, ix)
	if err == nil && s.hashes != nil {
		hs = s.hashes(ix, hs)
	}
	return hs, err
}

func (s *tamperable) Checkpoints(ctx context.Context, office uuid.UUID, before int64, limit int) ([]notary.LogCheckpoint, error) {
	cs, err := s.Store.Checkpoints(ctx, office, before, limit)
	if err == nil && s.checkpoints != nil {
		cs = s.checkpoints(cs)
	}
	return cs, err
}

// office is a Service on the memory store with its Log, an admin, a user
// with an approved filing and an application awaiting payment.
type office struct {
	svc   *notary.Service
	pay   *notarytest.Payments
	store *tamperable
	log   *translog.Log
	admin notary.Admin
	user  notary.User
	app   notary.Application
	clock *notarytest.Clock

	filings int // filings made by newFiling
}

func newOffice(t *testing.T, batch int) *office {
	t.Helper()
	ctx := t.Context()
	mem := store.NewMemory()
	o := &office{pay: notarytest.NewPayments(), store: &tamperable{Store: mem},
		clock: notarytest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))}
	var err error
	o.svc, err = notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{ID: testOffice, Name: "Example Notary Office", AdminEmails: []string{"review@notary.example"},
			MailingAddress: "1 Notary Road"},
		Store: mem, Payments: o.pay, Clock: o.clock,
	})
	require.NoError(t, err)
	o.log, err = translog.New(translog.Config{Service: o.svc, Store: o.store, Keys: []ed25519.PrivateKey{key("office")},
		Origin: testOrigin, Batch: batch})
	require.NoError(t, err)
	_, err = o.svc.Admins.Bootstrap(ctx, "chief@notary.example", "Chief", "a long passphrase")
	require.NoError(t, err)
	_, o.admin, err = o.svc.Admins.Login(ctx, "chief@notary.example", "a long passphrase")
	require.NoError(t, err)
	o.user = notary.User{ID: "acct-42", Email: "legal@acme.example", Name: "Wang"}
	f, err := o.svc.Filings.Submit(ctx, o.user, notarytest.FilingContent())
	require.NoError(t, err)
	_, err = o.svc.Reviews.ApproveFiling(ctx, o.admin, f.ID, f.Version)
	require.NoError(t, err)
	o.app, err = o.svc.Applications.Apply(ctx, o.user, notary.ApplyRequest{Evidence: notarytest.Evidence("ev-1")})
	require.NoError(t, err)
	return o
}

// pay settles the application and has it pass the preliminary review.
func (o *office) advance(t *testing.T) {
	t.Helper()
	var err error
	o.app, err = o.svc.Applications.HandlePaymentEvent(t.Context(), o.pay.Settle(o.app.Payment.ID, o.clock.Now()))
	require.NoError(t, err)
	o.app, err = o.svc.Reviews.ApprovePreliminary(t.Context(), o.admin, o.app.ID, o.app.Version)
	require.NoError(t, err)
}

func (o *office) keys(t *testing.T) []string { return o.log.VerifierKeys() }

func TestLogBundleEndToEnd(t *testing.T) {
	ctx := t.Context()
	o := newOffice(t, 0)
	n, err := o.log.SequenceAll(ctx)
	require.NoError(t, err)
	assert.Positive(t, n)
	first, err := o.log.Checkpoint(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(n), first.Size)

	b, err := o.log.Bundle(ctx, o.user, o.app.ID)
	require.NoError(t, err)
	data, err := b.MarshalIndent()
	require.NoError(t, err)
	got, err := translog.ReadBundle(bytes.NewReader(data))
	require.NoError(t, err)
	keys, err := translog.Verifiers(o.keys(t)...)
	require.NoError(t, err)
	rep, err := translog.VerifyBundle(got, keys)
	require.NoError(t, err)
	assert.Equal(t, len(b.Events), rep.Logged)
	assert.Zero(t, rep.Pending)
	assert.Equal(t, string(notary.AwaitingPayment), got.Record.State)
	var app notary.Application
	require.NoError(t, json.Unmarshal(got.Record.Data, &app))
	assert.Equal(t, o.app.ID, app.ID)

	// The application moves on; the customer, holding the first
	// checkpoint, fetches the checkpoints since and a new bundle.
	o.advance(t)
	b2, err := o.log.Bundle(ctx, o.user, o.app.ID)
	require.NoError(t, err)
	rep2, err := translog.VerifyBundle(b2, keys)
	require.NoError(t, err)
	assert.Equal(t, len(b.Events)+2, rep2.Logged)
	assert.Greater(t, rep2.Checkpoint.Size, first.Size)

	m := translog.NewMonitor(keys)
	_, err = m.Observe(first.Note, nil)
	require.NoError(t, err)
	series, err := o.log.Series(ctx, first.Size, 0)
	require.NoError(t, err)
	require.Len(t, series.Checkpoints, 1)
	_, err = m.VerifySeries(series)
	require.NoError(t, err)
	require.NoError(t, m.Check(rep2.Checkpoint))

	// The whole series from the start verifies too.
	all, err := o.log.Series(ctx, 0, 0)
	require.NoError(t, err)
	require.Len(t, all.Checkpoints, 2)
	_, err = translog.NewMonitor(keys).VerifySeries(all)
	require.NoError(t, err)

	// Admin accounts and filings have bundles too; an admin may read any.
	fs, err := o.store.ListFilings(ctx, notary.ListQuery{OfficeID: testOffice})
	require.NoError(t, err)
	fb, err := o.log.Bundle(ctx, o.admin, fs[0].ID)
	require.NoError(t, err)
	_, err = translog.VerifyBundle(fb, keys)
	require.NoError(t, err)
	ab, err := o.log.Bundle(ctx, o.admin, o.admin.ID)
	require.NoError(t, err)
	assert.Nil(t, ab.Record.Data, "no account data (password hash) in a bundle")
	_, err = translog.VerifyBundle(ab, keys)
	require.NoError(t, err)
}

func TestLogBundleAuthorization(t *testing.T) {
	ctx := t.Context()
	o := newOffice(t, 0)
	_, err := o.log.Bundle(ctx, notary.User{ID: "someone-else"}, o.app.ID)
	require.ErrorIs(t, err, notary.ErrForbidden)
	_, err = o.log.Bundle(ctx, o.user, uuid.New())
	require.ErrorIs(t, err, notary.ErrNotFound)
	_, err = o.log.Bundle(ctx, o.user, o.admin.ID)
	require.ErrorIs(t, err, notary.ErrForbidden, "a user cannot read an admin account's bundle")
	_, err = o.log.Bundle(ctx, nil, o.app.ID)
	require.ErrorIs(t, err, notary.ErrForbidden)
	size, err := o.store.LogSize(ctx, testOffice)
	require.NoError(t, err)
	assert.Zero(t, size, "a refused request does no work")
}

func TestLogBundleWithSequencerBehind(t *testing.T) {
	ctx := t.Context()
	o := newOffice(t, 2) // a batch of 2: the bundle's own batch leaves most queued
	b, err := o.log.Bundle(ctx, o.user, o.app.ID)
	require.NoError(t, err)
	keys, err := translog.Verifiers(o.keys(t)...)
	require.NoError(t, err)
	rep, err := translog.VerifyBundle(b, keys)
	require.NoError(t, err)
	assert.Zero(t, rep.Logged, "the first batch holds the admin's and the filing's events")
	assert.Equal(t, len(b.Events), rep.Pending)
	assert.Equal(t, int64(2), rep.Checkpoint.Size, "the checkpoint of what is logged dates the bundle")

	// With nothing logged at all, a bundle has no checkpoint and every
	// event is pending.
	o = newOffice(t, 1)
	_, err = o.log.Bundle(ctx, o.user, o.app.ID)
	require.NoError(t, err)
	b = translog.Bundle{Format: translog.BundleFormat, Record: b.Record, Events: b.Events}
	for i := range b.Events {
		b.Events[i].Leaf = nil
	}
	rep, err = translog.VerifyBundle(b, keys)
	require.NoError(t, err)
	assert.Equal(t, len(b.Events), rep.Pending)
	b.Events[0].Leaf = &translog.LeafProof{}
	_, err = translog.VerifyBundle(b, keys)
	require.ErrorIs(t, err, translog.ErrMalformed)
}

func TestLogCheckpoint(t *testing.T) {
	ctx := t.Context()
	o := newOffice(t, 0)
	_, err := o.log.Checkpoint(ctx)
	require.ErrorIs(t, err, notary.ErrNotFound, "an empty log")
	_, err = o.log.SequenceAll(ctx)
	require.NoError(t, err)
	c1, err := o.log.Checkpoint(ctx)
	require.NoError(t, err)
	o.clock.Advance(time.Minute)
	c2, err := o.log.Checkpoint(ctx)
	require.NoError(t, err)
	assert.Equal(t, c1, c2, "no growth, no new checkpoint")
	assert.Equal(t, o.clock.Now().Add(-time.Minute), c1.CreatedAt, "stamped by the service's clock")

	o.advance(t)
	_, err = o.log.SequenceAll(ctx)
	require.NoError(t, err)
	c3, err := o.log.Checkpoint(ctx)
	require.NoError(t, err)
	assert.Greater(t, c3.Size, c1.Size)
	list, err := o.log.Checkpoints(ctx, 0, 0)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, []int64{c3.Size, c1.Size}, []int64{list[0].Size, list[1].Size})

	keys, err := translog.Verifiers(o.keys(t)...)
	require.NoError(t, err)
	cp, err := translog.OpenCheckpoint(c3.Note, keys)
	require.NoError(t, err)
	assert.Equal(t, translog.Checkpoint{Origin: testOrigin, Size: c3.Size, Root: c3.Root}, cp)
}

func TestLogProofs(t *testing.T) {
	ctx := t.Context()
	o := newOffice(t, 0)
	o.advance(t)
	_, err := o.log.SequenceAll(ctx)
	require.NoError(t, err)
	c, err := o.log.Checkpoint(ctx)
	require.NoError(t, err)
	cp := translog.Checkpoint{Origin: testOrigin, Size: c.Size, Root: c.Root}
	leaves, err := o.store.LogLeaves(ctx, testOffice, 0, 1000)
	require.NoError(t, err)
	require.Len(t, leaves, int(c.Size))
	for _, lf := range leaves {
		evs, err := o.store.Events(ctx, lf.RecordID)
		require.NoError(t, err)
		leaf, err := translog.LeafHash(translog.EntryOf(evs[lf.Seq-1]))
		require.NoError(t, err)
		p, err := o.log.InclusionProof(ctx, lf.Index, c.Size)
		require.NoError(t, err)
		require.NoError(t, translog.CheckInclusion(cp, lf.Index, leaf, p))
	}
	for older := int64(1); older <= c.Size; older++ {
		p, err := o.log.ConsistencyProof(ctx, older, c.Size)
		require.NoError(t, err)
		root, err := tlog.TreeHash(older, tlog.HashReaderFunc(func(ix []int64) ([]tlog.Hash, error) {
			return o.store.LogHashes(ctx, testOffice, ix)
		}))
		require.NoError(t, err)
		require.NoError(t, translog.CheckConsistency(translog.Checkpoint{Origin: testOrigin, Size: older, Root: root}, cp, p))
	}
	for name, call := range map[string]func() error{
		"index beyond size": func() error { _, err := o.log.InclusionProof(ctx, c.Size, c.Size); return err },
		"negative index":    func() error { _, err := o.log.InclusionProof(ctx, -1, c.Size); return err },
		"size beyond log":   func() error { _, err := o.log.InclusionProof(ctx, 0, c.Size+1); return err },
		"older zero":        func() error { _, err := o.log.ConsistencyProof(ctx, 0, c.Size); return err },
		"older after newer": func() error { _, err := o.log.ConsistencyProof(ctx, 3, 2); return err },
		"newer beyond log":  func() error { _, err := o.log.ConsistencyProof(ctx, 1, c.Size+1); return err },
	} {
		assert.ErrorIs(t, call(), notary.ErrInvalidInput, name)
	}
}

// The office-side audit: each way of tampering with the database is
// found, with the error saying what broke.
func TestLogCheckTamperMatrix(t *testing.T) {
	setup := func(t *testing.T) *office {
		o := newOffice(t, 3)
		_, err := o.log.SequenceAll(t.Context())
		require.NoError(t, err)
		_, err = o.log.Checkpoint(t.Context())
		require.NoError(t, err)
		o.advance(t)
		_, err = o.log.SequenceAll(t.Context())
		require.NoError(t, err)
		_, err = o.log.Checkpoint(t.Context())
		require.NoError(t, err)
		return o
	}
	t.Run("intact", func(t *testing.T) {
		o := setup(t)
		rep, err := o.log.Check(t.Context())
		require.NoError(t, err)
		size, _ := o.store.LogSize(t.Context(), testOffice)
		assert.Equal(t, size, rep.Leaves)
		assert.Equal(t, 1, rep.Checkpoints)
	})
	cases := []struct {
		name   string
		tamper func(o *office)
		want   error
	}{
		{"deleted record", func(o *office) {
			o.store.events = func(id uuid.UUID, evs []notary.Event) []notary.Event {
				if id == o.app.ID {
					return nil
				}
				return evs
			}
		}, translog.ErrRecordDeleted},
		{"edited event", func(o *office) {
			o.store.events = func(id uuid.UUID, evs []notary.Event) []notary.Event {
				if id == o.app.ID {
					evs[0].Reason = "edited"
				}
				return evs
			}
		}, translog.ErrEventEdited},
		{"trail rewritten with its hashes", func(o *office) {
			o.store.events = func(id uuid.UUID, evs []notary.Event) []notary.Event {
				if id == o.app.ID {
					evs[0].Reason = "edited"
					prev := ""
					for i := range evs {
						evs[i].PrevHash = prev
						evs[i].Hash = evs[i].ComputeHash()
						prev = evs[i].Hash
					}
				}
				return evs
			}
		}, translog.ErrEventEdited},
		{"truncated log", func(o *office) {
			o.store.size = func(n int64) int64 { return n - 2 }
		}, translog.ErrTruncated},
		{"replaced leaf", func(o *office) {
			target := tlog.StoredHashIndex(0, 3)
			o.store.hashes = func(ix []int64, hs []tlog.Hash) []tlog.Hash {
				hs = slices.Clone(hs)
				for i, x := range ix {
					if x == target {
						hs[i] = tlog.RecordHash([]byte("forged"))
					}
				}
				return hs
			}
		}, translog.ErrLeafMismatch},
		{"forked checkpoint", func(o *office) {
			o.store.checkpoints = func(cs []notary.LogCheckpoint) []notary.LogCheckpoint {
				// An older checkpoint, validly signed, of another history.
				var forged memLog
				for i := range 2 {
					forged.append(t, entry(i))
				}
				fake := notary.LogCheckpoint{OfficeID: testOffice, Size: 2, Note: forged.signed(t, 2)}
				fake.Root = forged.checkpoint(t, 2).Root
				if len(cs) > 0 && cs[0].Size > 2 {
					return append(cs, fake)
				}
				return cs
			}
		}, translog.ErrInconsistent},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := setup(t)
			tc.tamper(o)
			_, err := o.log.Check(t.Context())
			require.ErrorIs(t, err, tc.want)
			assert.ErrorIs(t, err, notary.ErrTampered)
		})
	}
}

func TestLogRun(t *testing.T) {
	o := newOffice(t, 0)
	run := func(t *testing.T) func() {
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- o.log.Run(ctx, time.Millisecond) }()
		return func() {
			cancel()
			require.ErrorIs(t, <-done, context.Canceled)
		}
	}
	latest := func() (int64, int64) {
		cs, err := o.log.Checkpoints(t.Context(), 0, 1)
		require.NoError(t, err)
		size, err := o.store.LogSize(t.Context(), testOffice)
		require.NoError(t, err)
		if len(cs) == 0 {
			return 0, size
		}
		return cs[0].Size, size
	}
	// The first checkpoint comes as soon as there is something logged.
	stop := run(t)
	require.Eventually(t, func() bool { c, s := latest(); return c > 0 && c == s }, 10*time.Second, time.Millisecond)
	stop()
	first, _ := latest()

	// Within CheckpointEvery (a minute) of it, Run sequences but does not
	// sign another; once the clock has moved on, it does.
	o.advance(t)
	stop = run(t)
	require.Eventually(t, func() bool { _, s := latest(); return s > first }, 10*time.Second, time.Millisecond)
	stop()
	c, s := latest()
	assert.Equal(t, first, c)
	o.clock.Advance(time.Minute)
	stop = run(t)
	require.Eventually(t, func() bool { c, _ := latest(); return c == s }, 10*time.Second, time.Millisecond)
	stop()
}

func TestNewLogValidates(t *testing.T) {
	o := newOffice(t, 0)
	ok := translog.Config{Service: o.svc, Store: o.store, Keys: []ed25519.PrivateKey{key("k")}}
	for name, edit := range map[string]func(*translog.Config){
		"no service":  func(c *translog.Config) { c.Service = nil },
		"no store":    func(c *translog.Config) { c.Store = nil },
		"no key":      func(c *translog.Config) { c.Keys = nil },
		"short key":   func(c *translog.Config) { c.Keys = []ed25519.PrivateKey{key("k")[:10]} },
		"bad origin":  func(c *translog.Config) { c.Origin = "has space" },
		"plus origin": func(c *translog.Config) { c.Origin = "a+b" },
		"negative":    func(c *translog.Config) { c.Batch = -1 },
		"every":       func(c *translog.Config) { c.CheckpointEvery = -time.Second },
	} {
		c := ok
		edit(&c)
		_, err := translog.New(c)
		assert.ErrorIs(t, err, notary.ErrInvalidInput, name)
	}
	l, err := translog.New(ok)
	require.NoError(t, err)
	assert.Equal(t, "notarykit/"+testOffice.String(), l.Origin())
	require.ErrorIs(t, l.Run(t.Context(), 0), notary.ErrInvalidInput)

	k, err := translog.ParseKey("  " + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n")
	require.NoError(t, err)
	assert.Len(t, k, 64)
	_, err = translog.ParseKey("short")
	require.ErrorIs(t, err, translog.ErrMalformed)
}
