package tink_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/sqlite"
	"github.com/notarykit/notarykit/adapters/tink"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	"github.com/notarykit/notarykit/store"
)

// plain is the "encryption off" Sealer of the benchmark: it passes the
// plaintext through, so the domain does all its other work (encoding,
// masking, blind indexes) and only the cipher is left out.
type plain struct{}

func (plain) Seal(_ context.Context, pt, _ []byte) ([]byte, error) {
	return append([]byte(nil), pt...), nil
}
func (plain) Open(_ context.Context, ct, _ []byte) ([]byte, error) {
	return append([]byte(nil), ct...), nil
}

// BenchmarkFilingTransition measures one transition that touches a filing
// (a rejection or a resubmission, each sealing or opening every personal
// field of a filing with an agent) with the Tink sealer and with
// encryption off, over the memory store and SQLite, in the same run:
//
//	go test -run '^$' -bench FilingTransition -benchtime 2000x ./adapters/tink
//
// The ratio tink/off per store is what README reports.
func BenchmarkFilingTransition(b *testing.B) {
	h, err := tink.NewKeyset()
	require.NoError(b, err)
	sealer, err := tink.New(context.Background(), tink.Static(h))
	require.NoError(b, err)
	stores := []struct {
		name string
		open func(b *testing.B) notary.Store
	}{
		{"memory", func(*testing.B) notary.Store { return store.NewMemory() }},
		{"sqlite", func(b *testing.B) notary.Store {
			s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
			require.NoError(b, err)
			b.Cleanup(func() { _ = s.Close() })
			return s
		}},
	}
	for _, st := range stores {
		for _, enc := range []struct {
			name   string
			sealer notary.Sealer
		}{{"off", plain{}}, {"tink", sealer}} {
			b.Run(st.name+"/"+enc.name, func(b *testing.B) { benchCycle(b, st.open(b), enc.sealer) })
		}
	}
}

// BenchmarkEncryptionRatio interleaves the transitions of
// BenchmarkFilingTransition with encryption off and with Tink, one of
// each per iteration, so that both see the same machine load, and
// reports the ratio of their total times (tink/off; ≤ 1.1 is the bar):
//
//	go test -run '^$' -bench EncryptionRatio -benchtime 3000x ./adapters/tink
func BenchmarkEncryptionRatio(b *testing.B) {
	h, err := tink.NewKeyset()
	require.NoError(b, err)
	sealer, err := tink.New(context.Background(), tink.Static(h))
	require.NoError(b, err)
	for _, st := range []string{"memory", "sqlite"} {
		b.Run(st, func(b *testing.B) {
			open := func() notary.Store {
				if st == "memory" {
					return store.NewMemory()
				}
				s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), uuid.NewString()+".db"))
				require.NoError(b, err)
				b.Cleanup(func() { _ = s.Close() })
				return s
			}
			off, on := newCycler(b, open(), plain{}), newCycler(b, open(), sealer)
			var tOff, tOn time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tOff += off.step(b, i)
				tOn += on.step(b, i)
			}
			b.ReportMetric(float64(tOn)/float64(tOff), "tink/off")
			b.ReportMetric(float64(tOn)/float64(b.N), "tink-ns/op")
			b.ReportMetric(float64(tOff)/float64(b.N), "off-ns/op")
		})
	}
}

// cycler rejects and resubmits one filing, alternately.
type cycler struct {
	svc     *notary.Service
	admin   notary.Admin
	content notary.FilingContent
	f       notary.Filing
}

func newCycler(b *testing.B, st notary.Store, sealer notary.Sealer) *cycler {
	ctx := context.Background()
	svc, err := notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{ID: uuid.New(), Name: "Bench Office", AdminEmails: []string{"desk@office.example"}, MailingAddress: "1 Road"},
		Store:  st, Payments: notarytest.NewPayments(), Clock: notarytest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)),
		Sealer: sealer, Blinder: notary.HMACBlinder(make([]byte, 32)), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(b, err)
	_, err = svc.Admins.Bootstrap(ctx, "head@office.example", "Head", "correct horse battery staple")
	require.NoError(b, err)
	token, _, err := svc.Admins.Login(ctx, "head@office.example", "correct horse battery staple")
	require.NoError(b, err)
	admin, err := svc.Admins.Authenticate(ctx, token)
	require.NoError(b, err)
	c := &cycler{svc: svc, admin: admin, content: benchContent()}
	c.f, err = svc.Filings.Submit(ctx, alice, c.content)
	require.NoError(b, err)
	return c
}

// step runs one transition and returns its duration.
func (c *cycler) step(b *testing.B, i int) time.Duration {
	ctx := context.Background()
	start := time.Now()
	var err error
	if i%2 == 0 {
		c.f, err = c.svc.Reviews.RejectFiling(ctx, c.admin, c.f.ID, c.f.Version, "scan unreadable")
	} else {
		c.f, err = c.svc.Filings.Resubmit(ctx, alice, c.f.ID, c.content)
	}
	d := time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	return d
}

func benchContent() notary.FilingContent {
	content := notarytest.FilingContent()
	content.Agent = &notary.Agent{Person: notary.Person{Name: "李四", IDType: notary.IDPassport, IDNumber: "E12345678"},
		PowerOfAttorney: notarytest.Document("poa.pdf"), IDDocument: notarytest.Document("id.pdf")}
	return content
}

func benchCycle(b *testing.B, st notary.Store, sealer notary.Sealer) {
	ctx := context.Background()
	svc, err := notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{ID: uuid.New(), Name: "Bench Office", AdminEmails: []string{"desk@office.example"}, MailingAddress: "1 Road"},
		Store:  st, Payments: notarytest.NewPayments(), Clock: notarytest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)),
		Sealer: sealer, Blinder: notary.HMACBlinder(make([]byte, 32)), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(b, err)
	_, err = svc.Admins.Bootstrap(ctx, "head@office.example", "Head", "correct horse battery staple")
	require.NoError(b, err)
	token, _, err := svc.Admins.Login(ctx, "head@office.example", "correct horse battery staple")
	require.NoError(b, err)
	admin, err := svc.Admins.Authenticate(ctx, token)
	require.NoError(b, err)
	content := notarytest.FilingContent()
	content.Agent = &notary.Agent{Person: notary.Person{Name: "李四", IDType: notary.IDPassport, IDNumber: "E12345678"},
		PowerOfAttorney: notarytest.Document("poa.pdf"), IDDocument: notarytest.Document("id.pdf")}
	f, err := svc.Filings.Submit(ctx, alice, content)
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			f, err = svc.Reviews.RejectFiling(ctx, admin, f.ID, f.Version, "scan unreadable")
		} else {
			f, err = svc.Filings.Resubmit(ctx, alice, f.ID, content)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}
