package storetest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// personalGroup proves that no store ever receives a personal field of a
// filing in plain text: a recording wrapper sees every Change the domain
// commits through a whole filing lifecycle (submit, reject, resubmit,
// approve, amend, reveals, a reseal), and none holds a plain value; and
// what the store keeps opens again, so the store returns ciphertexts
// exactly as it was given them.
var personalGroup = group{"PersonalData", []test{
	{"NoPlaintextReachesStore", testNoPlaintextReachesStore},
}}

// commitRecorder is a Store that records every Change committed through it.
type commitRecorder struct {
	notary.Store
	mu      sync.Mutex
	changes []notary.Change
}

func (r *commitRecorder) Commit(ctx context.Context, c notary.Change) error {
	r.mu.Lock()
	r.changes = append(r.changes, c)
	r.mu.Unlock()
	return r.Store.Commit(ctx, c)
}

// personalValues are the plain personal values of personalContent, each
// of which must never reach a store.
var personalValues = []string{"Zhang San", "11010519491231002X", "13800138000", "李四", "E12345678"}

func personalContent() notary.FilingContent {
	c := notarytest.FilingContent()
	c.Agent = &notary.Agent{
		Person:          notary.Person{Name: "李四", IDType: notary.IDPassport, IDNumber: "E12345678"},
		PowerOfAttorney: notarytest.Document("poa.pdf"),
		IDDocument:      notarytest.Document("agent-id.pdf"),
	}
	return c
}

func testNoPlaintextReachesStore(t *testing.T, s notary.Store) {
	ctx := t.Context()
	rec := &commitRecorder{Store: s}
	office := notary.Office{ID: uuid.New(), Name: "PII Office", AdminEmails: []string{"desk@office.example"}, MailingAddress: "1 Notary Road"}
	svc, err := notary.New(notary.Config{InsecureDevKeys: true, Office: office, Store: rec, Payments: notarytest.NewPayments(),
		Clock: notarytest.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Sealer: notary.InsecureDevSealer()})
	require.NoError(t, err)
	_, err = svc.Admins.Bootstrap(ctx, "head@office.example", "Head", trackPassword)
	require.NoError(t, err)
	token, _, err := svc.Admins.Login(ctx, "head@office.example", trackPassword)
	require.NoError(t, err)
	admin, err := svc.Admins.Authenticate(ctx, token)
	require.NoError(t, err)
	user := notary.User{ID: "u-pii", Email: "pii@example.com", Name: "Pat"}

	f, err := svc.Filings.Submit(ctx, user, personalContent())
	require.NoError(t, err)
	f, err = svc.Reviews.RejectFiling(ctx, admin, f.ID, f.Version, "scan unreadable")
	require.NoError(t, err)
	f, err = svc.Filings.Resubmit(ctx, user, f.ID, personalContent())
	require.NoError(t, err)
	f, err = svc.Filings.Reveal(ctx, admin, f.ID)
	require.NoError(t, err)
	f, err = svc.Reviews.ApproveFiling(ctx, admin, f.ID, f.Version)
	require.NoError(t, err)
	_, err = svc.Filings.Amend(ctx, user, f.ID, personalContent())
	require.NoError(t, err)
	_, err = svc.Filings.Reveal(ctx, user, f.ID)
	require.NoError(t, err)
	rep, err := svc.Filings.Reseal(ctx, 10) // the dev sealer cannot tell keys apart: every filing moves
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Resealed)

	require.GreaterOrEqual(t, len(rec.changes), 8)
	for i, c := range rec.changes {
		b, err := json.Marshal(c)
		require.NoError(t, err)
		for _, v := range personalValues {
			assert.NotContains(t, string(b), v, "change %d carries a personal value in plain text", i)
		}
	}

	stored, err := s.Filing(ctx, f.ID)
	require.NoError(t, err)
	for _, c := range []notary.FilingContent{stored.Content, *stored.Approved} {
		for _, v := range []string{c.LegalRep.Name, c.LegalRep.IDNumber, c.ContactPhone, c.Agent.Person.Name, c.Agent.Person.IDNumber} {
			assert.True(t, notary.IsSealed(v), "stored %q", v)
		}
	}
	full, err := svc.Filings.Reveal(ctx, user, f.ID)
	require.NoError(t, err, "the store returns the ciphertexts it was given")
	got := strings.Join([]string{full.Content.LegalRep.Name, full.Content.LegalRep.IDNumber, full.Content.ContactPhone,
		full.Approved.Agent.Person.Name, full.Approved.Agent.Person.IDNumber}, "|")
	assert.Equal(t, strings.Join(personalValues, "|"), got)
	require.NoError(t, svc.Audit.Verify(ctx, user, f.ID))
}
