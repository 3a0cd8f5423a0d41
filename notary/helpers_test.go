package notary_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/argon2"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	"github.com/notarykit/notarykit/store"
)

var (
	officeID = uuid.MustParse("0b7f6a52-5a43-4d5e-9a58-2f6a3f1d0c01")
	t0       = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	alice    = notary.User{ID: "u-alice", Email: "alice@example.com", Name: "Alice", Locale: "en"}
	bob      = notary.User{ID: "u-bob", Email: "bob@example.com", Name: "Bob"}

	otherOfficeID = uuid.MustParse("0b7f6a52-5a43-4d5e-9a58-2f6a3f1d0c99")
)

// Admin accounts every env starts with.
const (
	supervisorEmail = "head@office.example"
	reviewerEmail   = "rev@office.example"
	adminPassword   = "correct horse battery staple"
)

type env struct {
	t   testing.TB
	cfg notary.Config
	// reviewer is a reviewer of the office logged in with a live session;
	// reviewerToken is its session token. supervisor likewise.
	reviewer        notary.Admin
	reviewerToken   string
	supervisor      notary.Admin
	supervisorToken string
	ctx             context.Context
	store           *store.Memory
	pay             *notarytest.Payments
	clock           *notarytest.Clock
	svc             *notary.Service
}

func newEnv(t testing.TB, mutate ...func(*notary.Config)) *env {
	e := &env{t: t, ctx: context.Background(), store: store.NewMemory(), pay: notarytest.NewPayments(), clock: notarytest.NewClock(t0)}
	cfg := notary.Config{InsecureDevKeys: true,
		Office: notary.Office{
			ID: officeID, Name: "Example Notary Office", AdminEmails: []string{"desk@office.example", "chief@office.example"},
			MailingAddress: "1 Notary Road, Shenzhen", Materials: []string{"Signed application form", "Copy of business licence"},
			AutoConfirmAfter: 10 * 24 * time.Hour,
		},
		Logger: slog.New(slog.DiscardHandler),
		Store:  e.store, Payments: e.pay, Clock: e.clock, IDs: &notarytest.IDs{}, Courier: &notarytest.Courier{},
		// Lifecycle tests move the clock by hours and days; their admin
		// sessions outlive that. Session tests restore the defaults.
		Admin: notary.AdminPolicy{SessionIdle: 365 * 24 * time.Hour, SessionTTL: 365 * 24 * time.Hour},
	}
	for _, m := range mutate {
		m(&cfg)
	}
	e.cfg = cfg
	svc, err := notary.New(cfg)
	require.NoError(t, err)
	e.svc = svc
	fastAdmins(svc)
	e.supervisorToken, e.supervisor = e.bootstrap(svc, supervisorEmail)
	_, err = svc.Admins.Create(e.ctx, e.supervisor, reviewerEmail, "Rita Reviewer", notary.RoleReviewer, adminPassword)
	require.NoError(t, err)
	e.reviewerToken, e.reviewer = e.login(svc, reviewerEmail, adminPassword)
	return e
}

// bootstrap creates svc's first supervisor and logs it in.
func (e *env) bootstrap(svc *notary.Service, email string) (string, notary.Admin) {
	e.t.Helper()
	_, err := svc.Admins.Bootstrap(e.ctx, email, "Head of Office", adminPassword)
	require.NoError(e.t, err)
	return e.login(svc, email, adminPassword)
}

// login logs an admin in and returns the session token and the Admin
// that Authenticate makes of it.
func (e *env) login(svc *notary.Service, email, password string) (string, notary.Admin) {
	e.t.Helper()
	token, _, err := svc.Admins.Login(e.ctx, email, password)
	require.NoError(e.t, err)
	a, err := svc.Admins.Authenticate(e.ctx, token)
	require.NoError(e.t, err)
	return token, a
}

// newAdmin creates an admin of e's office and logs it in.
func (e *env) newAdmin(email string, role notary.Role) (string, notary.Admin) {
	e.t.Helper()
	_, err := e.svc.Admins.Create(e.ctx, e.supervisor, email, "Admin "+email, role, adminPassword)
	require.NoError(e.t, err)
	return e.login(e.svc, email, adminPassword)
}

// otherOffice returns a second office's Service on e's store, and the
// logged-in supervisor of that office: a stranger to e's office.
func (e *env) otherOffice() (*notary.Service, notary.Admin) {
	e.t.Helper()
	cfg := e.cfg
	cfg.Office.ID, cfg.Office.Name = otherOfficeID, "Other Notary Office"
	svc, err := notary.New(cfg)
	require.NoError(e.t, err)
	fastAdmins(svc)
	_, stranger := e.bootstrap(svc, "chief@other.example")
	return svc, stranger
}

// fastAdmins keeps the real argon2id parameters but memoizes the
// derivation across the test binary, and draws salts and tokens from a
// stream seeded by the office, so the admin setup every env repeats costs
// the hashing only once.
func fastAdmins(svc *notary.Service) {
	id := svc.Office().ID
	svc.Admins.SetKDF(memoKDF)
	svc.Admins.SetRandom(&lockedReader{r: rand.NewChaCha8(sha256.Sum256(id[:]))})
}

var kdfMemo sync.Map // inputs → key

func memoKDF(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	k := fmt.Sprintf("%x|%x|%d|%d|%d|%d", password, salt, time, memory, threads, keyLen)
	if v, ok := kdfMemo.Load(k); ok {
		return slices.Clone(v.([]byte))
	}
	key := argon2.IDKey(password, salt, time, memory, threads, keyLen)
	kdfMemo.Store(k, slices.Clone(key))
	return key
}

type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

// approvedFiling files and approves a filing for u.
func (e *env) approvedFiling(u notary.User) notary.Filing {
	f, err := e.svc.Filings.Submit(e.ctx, u, notarytest.FilingContent())
	require.NoError(e.t, err)
	f, err = e.svc.Reviews.ApproveFiling(e.ctx, e.reviewer, f.ID, f.Version)
	require.NoError(e.t, err)
	return f
}

var evidenceSeq int

// appIn returns alice's application brought to state along SPEC's table.
func (e *env) appIn(state notary.ApplicationState) notary.Application {
	e.t.Helper()
	if _, err := e.svc.Filings.Mine(e.ctx, alice); err != nil {
		e.approvedFiling(alice)
	}
	evidenceSeq++
	app, err := e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{Evidence: notarytest.Evidence(fmt.Sprintf("ev-%d", evidenceSeq))})
	require.NoError(e.t, err)
	step := func(a notary.Application, err error) notary.Application {
		e.t.Helper()
		require.NoError(e.t, err)
		return a
	}
	pay := func() notary.Application {
		return step(e.svc.Applications.HandlePaymentEvent(e.ctx, e.pay.Settle(app.Payment.ID, e.clock.Now())))
	}
	switch state {
	case notary.AwaitingPayment:
	case notary.Cancelled:
		app = step(e.svc.Applications.Cancel(e.ctx, alice, app.ID))
	case notary.PendingPreliminaryReview:
		app = pay()
	case notary.PreliminaryRejected:
		app = pay()
		app = step(e.svc.Reviews.RejectPreliminary(e.ctx, e.reviewer, app.ID, app.Version, "blurred scan"))
	default:
		app = pay()
		app = step(e.svc.Reviews.ApprovePreliminary(e.ctx, e.reviewer, app.ID, app.Version))
		if state == notary.AwaitingMaterials {
			break
		}
		app = step(e.svc.Applications.SubmitMaterials(e.ctx, alice, app.ID, "SF", "SF1234567890123"))
		switch state {
		case notary.PendingFinalReview:
		case notary.MaterialsRejected:
			app = step(e.svc.Reviews.RejectFinal(e.ctx, e.reviewer, app.ID, app.Version, "missing seal"))
		default:
			app = step(e.svc.Reviews.ApproveFinal(e.ctx, e.reviewer, app.ID, app.Version, "(2026)深证字第00001号"))
			if state == notary.CertificateInProduction {
				break
			}
			app = step(e.svc.Reviews.Ship(e.ctx, e.reviewer, app.ID, app.Version, "EMS", "EE123456785CN"))
			if state == notary.Completed {
				app = step(e.svc.Applications.ConfirmReceipt(e.ctx, alice, app.ID))
			}
		}
	}
	require.Equal(e.t, state, app.State)
	return app
}

// snapshot is everything a transition may change.
type snapshot struct {
	app      notary.Application
	filing   notary.Filing
	events   int // audit events of the record (a filing, application or admin account)
	pending  int
	reserved map[string]uuid.UUID
	admins   []notary.AdminAccount // the office's admin accounts
}

func (e *env) snapshot(id uuid.UUID, evidenceIDs []string) snapshot {
	e.t.Helper()
	var s snapshot
	if a, err := e.store.Application(e.ctx, id); err == nil {
		s.app = a
	}
	if f, err := e.store.Filing(e.ctx, id); err == nil {
		s.filing = f
	}
	evs, err := e.store.Events(e.ctx, id)
	require.NoError(e.t, err)
	s.events = len(evs)
	ns, err := e.store.ListNotices(e.ctx, notary.NoticePending, 100000)
	require.NoError(e.t, err)
	s.pending = len(ns)
	s.reserved, err = e.store.Reservations(e.ctx, evidenceIDs)
	require.NoError(e.t, err)
	s.admins, err = e.store.ListAdmins(e.ctx, officeID)
	require.NoError(e.t, err)
	return s
}

// notices returns the pending notices of a record as "channel kind → to" strings.
func (e *env) notices(recordID uuid.UUID) []string {
	ns, err := e.store.ListNotices(e.ctx, notary.NoticePending, 100000)
	require.NoError(e.t, err)
	var out []string
	for _, n := range ns {
		if n.RecordID == recordID {
			out = append(out, fmt.Sprintf("%s %s %s", n.Channel, n.Kind, n.To.Email))
		}
	}
	return out
}
