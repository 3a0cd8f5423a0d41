package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
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
	"github.com/notarykit/notarykit/notify"
	"github.com/notarykit/notarykit/store"
)

// captured keeps every message a notifier is given.
type captured struct {
	mu   sync.Mutex
	msgs []notary.Message
}

func (c *captured) Notify(_ context.Context, m notary.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, m)
	return nil
}

// TestNoPersonalDataInLogsOrNotices runs a full flow, with reveals and a
// refused filing, logging everything at debug level, and greps every log
// line, notice, rendered message, in-site message and error for the plain
// personal values of the filing.
func TestNoPersonalDataInLogsOrNotices(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	db := store.NewMemory()
	clock := notarytest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	pay := notarytest.NewPayments()
	svc, err := notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{ID: uuid.New(), Name: "Office", AdminEmails: []string{"desk@office.example"},
			MailingAddress: "1 Notary Road", Materials: []string{"Form"}},
		Store: db, Payments: pay, Clock: clock, Logger: logger, Sealer: notary.InsecureDevSealer(),
	})
	require.NoError(t, err)
	renderer, err := notify.NewRenderer()
	require.NoError(t, err)
	mail := &captured{}
	relay := notify.NewRelay(db, clock, renderer, map[notary.Channel]notary.Notifier{
		notary.ChannelEmail: mail, notary.ChannelInSite: notify.NewInboxNotifier(db),
	}, notify.WithLogger(logger))

	_, err = svc.Admins.Bootstrap(ctx, "head@office.example", "Head", "correct horse battery staple")
	require.NoError(t, err)
	token, _, err := svc.Admins.Login(ctx, "head@office.example", "correct horse battery staple")
	require.NoError(t, err)
	admin, err := svc.Admins.Authenticate(ctx, token)
	require.NoError(t, err)
	user := notary.User{ID: "u-1", Email: "u1@example.com", Name: "Owner", Locale: "zh-CN"}

	content := notarytest.FilingContent()
	content.LegalRep.Name = "张三丰"
	content.Agent = &notary.Agent{Person: notary.Person{Name: "李四光", IDType: notary.IDResident, IDNumber: "11010519491231002X"},
		PowerOfAttorney: notarytest.Document("poa.pdf"), IDDocument: notarytest.Document("id.pdf")}
	secrets := []string{"11010519491231002X", "13800138000", "张三丰", "李四光", "E98765432", "13912345678", "1101051949123100"}

	var errs []string
	bad := content
	bad.LegalRep.IDNumber = "110105194912310021" // wrong check digit
	_, err = svc.Filings.Submit(ctx, user, bad)
	require.ErrorIs(t, err, notary.ErrInvalidInput)
	errs = append(errs, err.Error())
	bad = content
	bad.ContactPhone = "13912345678x"
	_, err = svc.Filings.Submit(ctx, user, bad)
	require.ErrorIs(t, err, notary.ErrInvalidInput)
	errs = append(errs, err.Error())

	f, err := svc.Filings.Submit(ctx, user, content)
	require.NoError(t, err)
	f, err = svc.Reviews.RejectFiling(ctx, admin, f.ID, f.Version, "请补充材料")
	require.NoError(t, err)
	f, err = svc.Filings.Resubmit(ctx, user, f.ID, content)
	require.NoError(t, err)
	f, err = svc.Filings.Reveal(ctx, admin, f.ID)
	require.NoError(t, err)
	require.Equal(t, "张三丰", f.Content.LegalRep.Name, "the reveal itself shows the values")
	f, err = svc.Reviews.ApproveFiling(ctx, admin, f.ID, f.Version)
	require.NoError(t, err)
	app, err := svc.Applications.Apply(ctx, user, notary.ApplyRequest{Evidence: notarytest.Evidence("ev-1")})
	require.NoError(t, err)
	app, err = svc.Applications.HandlePaymentEvent(ctx, pay.Settle(app.Payment.ID, clock.Now()))
	require.NoError(t, err)
	_, err = svc.Reviews.RejectPreliminary(ctx, admin, app.ID, app.Version, "证据不完整")
	require.NoError(t, err)
	_, err = svc.Filings.Reseal(ctx, 10)
	require.NoError(t, err)
	_, err = relay.Drain(ctx)
	require.NoError(t, err)

	var seen strings.Builder
	seen.WriteString(logs.String())
	require.NotEmpty(t, mail.msgs)
	for _, m := range mail.msgs {
		seen.WriteString(m.Subject + m.Text + m.HTML)
	}
	for _, st := range []notary.NoticeStatus{notary.NoticeDelivered, notary.NoticePending, notary.NoticeDead} {
		ns, err := db.ListNotices(ctx, st, 1000)
		require.NoError(t, err)
		b, _ := json.Marshal(ns)
		seen.Write(b)
	}
	inbox, err := svc.Inbox.List(ctx, user, nil, 100)
	require.NoError(t, err)
	require.NotEmpty(t, inbox)
	for _, m := range inbox {
		seen.WriteString(m.Subject + m.Body)
	}
	queue, err := svc.Reviews.FilingQueue(ctx, admin, notary.FilingApproved, nil, 10)
	require.NoError(t, err)
	b, _ := json.Marshal(queue)
	seen.Write(b)
	trail, err := svc.Audit.Trail(ctx, admin, f.ID)
	require.NoError(t, err)
	b, _ = json.Marshal(trail)
	seen.Write(b)
	seen.WriteString(strings.Join(errs, "\n"))

	all := seen.String()
	require.Contains(t, all, "1101**********002X", "the masked number shows where the filing does")
	for _, s := range secrets {
		assert.NotContains(t, all, s)
	}
}
