package storetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment"
)

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
	a.IdempotencyKey = "key-" + a.ID.String()
	a.Payment.Status = notary.PaymentSucceeded
	a.Payment.PaidAt = created.Add(time.Minute)
	a.Payment.Method, a.Payment.Serial = notary.MethodBankTransfer, "ICBC-20260102-0001"
	a.Payment.Transfer = &notary.TransferInstructions{Reference: notary.TransferReference(a.ID),
		Account: notary.BankAccount{Name: "北京市长安公证处", Bank: "中国工商银行北京长安支行", Number: "0200 0010 0900 0012 345"}}
	a.Materials = &notary.Shipment{Carrier: "SF", TrackingNumber: "SF1234567890123", At: created.Add(time.Hour)}
	a.MaterialsAttempts = 2
	a.CertificateNumber = "(2026)京长安内经证字第 00123 号"
	a.Certificate = &notary.Shipment{Carrier: "EMS", TrackingNumber: "EE123456785CN", At: created.Add(48 * time.Hour),
		Tracking: &notary.Tracking{State: notary.TrackingDelivered, DeliveredAt: created.Add(70 * time.Hour),
			Events: []notary.TrackingEvent{
				{At: created.Add(49 * time.Hour), Location: "北京", Description: "已收寄"},
				{At: created.Add(70 * time.Hour), Description: "已签收，签收人：本人 \"前台\""},
			},
			UpdatedAt: created.Add(71 * time.Hour)}}
	a.Reason = "材料不清晰"
	a.Refund = &notary.Refund{
		ID:       "refund-1",
		Amount:   decimal.RequireFromString("10.50"),
		Currency: payment.CNY,
		Reason:   "partial refund",
		At:       created.Add(2 * time.Hour),
	}
	a.Invoice = &notary.Invoice{State: notary.InvoiceReversed,
		Request: notary.InvoiceRequest{Type: notary.InvoiceSpecial, Title: "北京示例科技有限公司 \"总部\"",
			TaxpayerID: "91350100M000100Y43", Email: "tax@example.com"},
		Amount: decimal.RequireFromString("140.00"), Currency: payment.CNY, RequestedAt: created.Add(3 * time.Minute),
		Issued: &notary.IssuedInvoice{Number: "25312000000012345678", IssuedOn: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC),
			PDFRef: "invoices/25312000000012345678.pdf", PDFSHA256: hex64("invoice pdf", a.ID)},
		Reversal: &notary.IssuedInvoice{Number: "25312000000087654321", IssuedOn: time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC),
			PDFRef: "invoices/25312000000087654321.pdf", PDFSHA256: hex64("reversal pdf", a.ID)},
		UpdatedAt: created.Add(2*time.Hour + time.Minute)}
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
	if t := v.Tracking; t != nil {
		c := *t
		c.DeliveredAt, c.UpdatedAt = nt(c.DeliveredAt), nt(c.UpdatedAt)
		c.Events = nilIfEmpty(c.Events)
		for i := range c.Events {
			c.Events[i].At = nt(c.Events[i].At)
		}
		v.Tracking = &c
	}
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
	if a.Invoice != nil {
		inv := *a.Invoice
		inv.Amount = nd(inv.Amount)
		inv.RequestedAt, inv.UpdatedAt = nt(inv.RequestedAt), nt(inv.UpdatedAt)
		for _, p := range []**notary.IssuedInvoice{&inv.Issued, &inv.Reversal} {
			if *p != nil {
				i := **p
				i.IssuedOn = nt(i.IssuedOn)
				*p = &i
			}
		}
		a.Invoice = &inv
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
