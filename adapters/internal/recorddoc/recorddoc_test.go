package recorddoc_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/internal/recorddoc"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment"
)

var (
	t0  = time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.UTC)
	cst = time.FixedZone("CST", 8*3600)
)

func doc(n string) notary.Document {
	return notary.Document{URI: "s3://b/" + n, MediaType: "application/pdf", Size: 1234, SHA256: strings.Repeat("a", 64)}
}

func content(name string) notary.FilingContent {
	return notary.FilingContent{
		EnterpriseName: name, CreditCode: "91350100M000100Y43", BusinessLicense: doc("license"),
		LegalRep:   notary.Person{Name: "张三", IDType: notary.IDResident, IDNumber: "11010519491231002X"},
		LegalRepID: doc("rep-id"), ContactAddress: "福州市", ContactEmail: "a@example.com", ContactPhone: "13800000000",
		Agent: &notary.Agent{Person: notary.Person{Name: "李四", IDType: notary.IDPassport, IDNumber: "E1234567"},
			PowerOfAttorney: doc("poa"), IDDocument: doc("agent-id")},
	}
}

func fullFiling() notary.Filing {
	approved := content("旧名")
	return notary.Filing{
		ID: uuid.New(), OfficeID: uuid.New(), Owner: notary.User{ID: "u1", Email: "u1@example.com", Name: "用户", Locale: "en"},
		State: notary.FilingState("Approved"), Version: 3, Revision: 2, Content: content("新名"),
		Approved: &approved, ApprovedRevision: 1, Reason: "typo", AuditHead: strings.Repeat("b", 64),
		CreatedAt: t0, UpdatedAt: t0.Add(time.Hour),
	}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func fullApplication() notary.Application {
	return notary.Application{
		ID: uuid.New(), OfficeID: uuid.New(), Owner: notary.User{ID: "u1", Email: "u1@example.com", Name: "用户", Locale: "zh-CN"},
		State: notary.ApplicationState("Refunded"), Version: 9, FilingID: uuid.New(), FilingRevision: 2,
		Evidence: []notary.Evidence{{ID: "ev-1", Title: "合同", SHA256: strings.Repeat("c", 64)}, {ID: "ev-2"}},
		Quote: payment.Quote{Records: 11, Currency: "CNY", Amount: dec("300.10"), Lines: []payment.QuoteLine{
			{Description: "base", UnitPrice: dec("150.00"), Amount: dec("150.00")},
			{Description: "records 1-10", Records: 10, UnitPrice: dec("15.0505"), Amount: decimal.New(15, 1)},
		}},
		Payment: notary.PaymentRef{Provider: "mock", ID: "pay-1", CheckoutURL: "https://pay.example/1",
			Status: notary.PaymentSucceeded, PaidAt: t0.Add(time.Minute)},
		IdempotencyKey:    "key-1",
		Materials:         &notary.Shipment{Carrier: "SF", TrackingNumber: "SF123", At: t0.Add(2 * time.Minute)},
		MaterialsAttempts: 2, CertificateNumber: "(2026)闽福证字第1号",
		Certificate: &notary.Shipment{Carrier: "EMS", TrackingNumber: "EMS456", At: t0.Add(3 * time.Minute)},
		Reason:      "withdrawn",
		Refund: &notary.Refund{ID: "rf-1", Amount: dec("150.050"), Currency: "CNY", Reason: "rejected",
			At: t0.Add(4 * time.Minute)},
		Invoice: &notary.Invoice{State: notary.InvoiceReversed,
			Request: notary.InvoiceRequest{Type: notary.InvoiceSpecial, Title: "示例科技有限公司", TaxpayerID: "91350100M000100Y43", Email: "tax@example.com"},
			Amount:  dec("150.050"), Currency: "CNY", RequestedAt: t0.Add(5 * time.Minute), Reason: "",
			Issued: &notary.IssuedInvoice{Number: "12345678", IssuedOn: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC),
				PDFRef: "invoices/12345678.pdf", PDFSHA256: strings.Repeat("e", 64)},
			Reversal: &notary.IssuedInvoice{Number: "87654321", IssuedOn: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC),
				PDFRef: "invoices/87654321.pdf", PDFSHA256: strings.Repeat("f", 64)},
			UpdatedAt: t0.Add(6 * time.Minute)},
		AuditHead: strings.Repeat("d", 64), CreatedAt: t0, UpdatedAt: t0.Add(time.Hour), ExpiresAt: t0.Add(30 * time.Minute),
	}
}

// inCST moves every time of a into another zone: the same instants.
func inCST(a notary.Application) notary.Application {
	a.CreatedAt, a.UpdatedAt, a.ExpiresAt = a.CreatedAt.In(cst), a.UpdatedAt.In(cst), a.ExpiresAt.In(cst)
	a.Payment.PaidAt = a.Payment.PaidAt.In(cst)
	m, c, r := *a.Materials, *a.Certificate, *a.Refund
	m.At, c.At, r.At = m.At.In(cst), c.At.In(cst), r.At.In(cst)
	a.Materials, a.Certificate, a.Refund = &m, &c, &r
	inv, is, rv := *a.Invoice, *a.Invoice.Issued, *a.Invoice.Reversal
	inv.RequestedAt, inv.UpdatedAt, is.IssuedOn, rv.IssuedOn = inv.RequestedAt.In(cst), inv.UpdatedAt.In(cst), is.IssuedOn.In(cst), rv.IssuedOn.In(cst)
	inv.Issued, inv.Reversal = &is, &rv
	a.Invoice = &inv
	return a
}

// truncated truncates every time of a to microseconds.
func truncated(a notary.Application) notary.Application {
	tr := func(t *time.Time) { *t = t.Truncate(time.Microsecond) }
	tr(&a.CreatedAt)
	tr(&a.UpdatedAt)
	tr(&a.ExpiresAt)
	tr(&a.Payment.PaidAt)
	m, c, r := *a.Materials, *a.Certificate, *a.Refund
	tr(&m.At)
	tr(&c.At)
	tr(&r.At)
	a.Materials, a.Certificate, a.Refund = &m, &c, &r
	inv := *a.Invoice
	tr(&inv.RequestedAt)
	tr(&inv.UpdatedAt)
	a.Invoice = &inv
	return a
}

func TestFilingRoundTrip(t *testing.T) {
	full := fullFiling()
	noApproved := fullFiling()
	noApproved.Approved, noApproved.ApprovedRevision = nil, 0
	noApproved.Content.Agent = nil
	local := full
	local.CreatedAt, local.UpdatedAt = full.CreatedAt.In(cst), full.UpdatedAt.In(cst)
	micro := full
	micro.CreatedAt, micro.UpdatedAt = full.CreatedAt.Truncate(time.Microsecond), full.UpdatedAt.Truncate(time.Microsecond)

	for _, tc := range []struct {
		name string
		in   notary.Filing
		opts []recorddoc.Option
		want notary.Filing
	}{
		{"every field", full, nil, full},
		{"zero", notary.Filing{}, nil, notary.Filing{}},
		{"nothing approved, no agent", noApproved, nil, noApproved},
		{"times in another zone come back in UTC", local, nil, full},
		{"precision", full, []recorddoc.Option{recorddoc.Precision(time.Microsecond)}, micro},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := recorddoc.EncodeFiling(tc.in, tc.opts...)
			require.NoError(t, err)
			got, err := recorddoc.DecodeFiling(b)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestApplicationRoundTrip(t *testing.T) {
	full := fullApplication()
	nilSlices := fullApplication()
	nilSlices.Evidence, nilSlices.Quote.Lines = nil, nil
	emptySlices := fullApplication()
	emptySlices.Evidence, emptySlices.Quote.Lines = []notary.Evidence{}, []payment.QuoteLine{}
	optional := fullApplication()
	optional.Materials, optional.Certificate, optional.Refund, optional.Invoice = nil, nil, nil, nil
	requested := fullApplication()
	requested.Invoice.State, requested.Invoice.Issued, requested.Invoice.Reversal = notary.InvoiceRequested, nil, nil
	optional.ExpiresAt, optional.Payment.PaidAt = time.Time{}, time.Time{}
	zeroMoney := fullApplication()
	zeroMoney.Quote.Amount, zeroMoney.Quote.Lines[0].Amount = decimal.Zero, decimal.Decimal{}
	zeroMoney.Refund.Amount = decimal.New(0, -2)

	for _, tc := range []struct {
		name string
		in   notary.Application
		opts []recorddoc.Option
		want notary.Application
	}{
		{"every field", full, nil, full},
		{"zero", notary.Application{}, nil, notary.Application{}},
		{"nil slices stay nil", nilSlices, nil, nilSlices},
		{"empty slices stay empty", emptySlices, nil, emptySlices},
		{"no optional parts", optional, nil, optional},
		{"an invoice not issued yet", requested, nil, requested},
		{"zero money keeps its form", zeroMoney, nil, zeroMoney},
		{"times in another zone come back in UTC", inCST(full), nil, full},
		{"precision", full, []recorddoc.Option{recorddoc.Precision(time.Microsecond)}, truncated(full)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := recorddoc.DecodeApplication(recorddoc.EncodeApplication(tc.in, tc.opts...))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			for i, l := range got.Quote.Lines {
				assert.Equal(t, tc.want.Quote.Lines[i].UnitPrice.Exponent(), l.UnitPrice.Exponent(), "line %d", i)
				assert.Equal(t, tc.want.Quote.Lines[i].Amount.Exponent(), l.Amount.Exponent(), "line %d", i)
			}
			assert.Equal(t, tc.want.Quote.Amount.Exponent(), got.Quote.Amount.Exponent())
		})
	}
}

// TestStoredNames pins the stored format: snake_case names and money as
// strings with the exponent kept.
func TestStoredNames(t *testing.T) {
	var m map[string]any
	require.NoError(t, json.Unmarshal(recorddoc.EncodeApplication(inCST(fullApplication())), &m))
	for _, k := range []string{"id", "office_id", "owner", "state", "version", "filing_id", "filing_revision", "evidence",
		"quote", "payment", "idempotency_key", "materials", "materials_attempts", "certificate_number", "certificate",
		"reason", "refund", "invoice", "audit_head", "created_at", "updated_at", "expires_at"} {
		assert.Contains(t, m, k)
	}
	assert.Len(t, m, 22)
	inv := m["invoice"].(map[string]any)
	assert.Equal(t, "150.050", inv["amount"])
	assert.Equal(t, map[string]any{"type": "special", "title": "示例科技有限公司", "taxpayer_id": "91350100M000100Y43", "email": "tax@example.com"}, inv["request"])
	assert.Equal(t, "2026-03-04T00:00:00Z", inv["issued"].(map[string]any)["issued_on"])
	assert.Equal(t, "87654321", inv["reversal"].(map[string]any)["number"])
	q := m["quote"].(map[string]any)
	assert.Equal(t, "300.10", q["amount"])
	lines := q["lines"].([]any)
	assert.Equal(t, map[string]any{"description": "base", "records": 0.0, "unit_price": "150.00", "amount": "150.00"}, lines[0])
	assert.Equal(t, "15.0505", lines[1].(map[string]any)["unit_price"])
	assert.Equal(t, "15e1", lines[1].(map[string]any)["amount"])
	assert.Equal(t, "150.050", m["refund"].(map[string]any)["amount"])
	assert.Equal(t, "2026-03-04T05:06:07.123456789Z", m["created_at"])
	assert.Equal(t, "2026-03-04T05:07:07.123456789Z", m["payment"].(map[string]any)["paid_at"])

	f, err := recorddoc.EncodeFiling(fullFiling())
	require.NoError(t, err)
	m = nil
	require.NoError(t, json.Unmarshal(f, &m))
	for _, k := range []string{"id", "office_id", "owner", "state", "version", "revision", "content", "approved",
		"approved_revision", "reason", "audit_head", "created_at", "updated_at"} {
		assert.Contains(t, m, k)
	}
	assert.Len(t, m, 13)
	assert.Equal(t, map[string]any{"id": "u1", "email": "u1@example.com", "name": "用户", "locale": "en"}, m["owner"])
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ name, doc string }{
		{"not JSON", `{`},
		{"money as a number", `{"quote":{"amount":300.1}}`},
		{"bad money", `{"refund":{"amount":"1,5"}}`},
		{"bad time", `{"created_at":"yesterday"}`},
		{"time as a number", `{"updated_at":5}`},
		{"an array for the document", `[]`},
		{"a string for an object", `{"owner":"u1"}`},
		{"an object for a list", `{"evidence":{}}`},
		{"a number for a string", `{"state":7}`},
		{"a string for a number", `{"version":"7"}`},
		{"a fraction for an integer", `{"version":1.5}`},
		{"an integer overflowing int64", `{"version":9223372036854775808}`},
		{"a bad UUID", `{"id":"not-a-uuid"}`},
		{"a bad escape", `{"reason":"\x"}`},
		{"invalid UTF-8", "{\"reason\":\"\xff\"}"},
		{"a second document", `{} {}`},
		{"trailing garbage", `{}x`},
		{"cut short", `{"quote":{"lines":[{"description":"a"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := recorddoc.DecodeApplication([]byte(tc.doc))
			assert.ErrorContains(t, err, "recorddoc: decode application")
		})
	}
	_, err := recorddoc.DecodeFiling([]byte(`{"id":"not-a-uuid"}`))
	assert.ErrorContains(t, err, "recorddoc: decode filing")

	for _, doc := range []string{`{"data":{"automatic":"yes"}}`, `{"to":[]}`, `{"data":{"materials":[1]}}`, `{}{}`} {
		var n notary.Notice
		assert.ErrorContains(t, recorddoc.DecodeNotice([]byte(doc), &n), "recorddoc: decode notice", doc)
	}
}

// TestDecodeEdgeCases pins what the decoder accepts beyond what the encoder
// writes: unknown members are skipped, a later duplicate wins, escapes are
// undone, and the int64 extremes fit.
func TestDecodeEdgeCases(t *testing.T) {
	a, err := recorddoc.DecodeApplication([]byte(` {"future":{"x":[1,2]},"reason":"a","reason":"b\u00e9\n",
		"version":-9223372036854775808,"filing_revision":0,"evidence":[],"quote":{"lines":null}} `))
	require.NoError(t, err)
	assert.Equal(t, "bé\n", a.Reason)
	assert.Equal(t, int64(-9223372036854775808), a.Version)
	assert.Equal(t, []notary.Evidence{}, a.Evidence)
	assert.Nil(t, a.Quote.Lines)

	var n notary.Notice
	require.NoError(t, recorddoc.DecodeNotice([]byte(`{"data":{"automatic":true,"materials":["a"],"x":null},"to":{"locale":"en"}}`), &n))
	assert.True(t, n.Data.Automatic)
	assert.Equal(t, []string{"a"}, n.Data.Materials)
	assert.Equal(t, "en", n.To.Locale)
}

func TestDecimalString(t *testing.T) {
	for _, tc := range []struct {
		in   decimal.Decimal
		want string
	}{
		{dec("150.00"), "150.00"},
		{dec("-0.010"), "-0.010"},
		{dec("42"), "42"},
		{decimal.New(15, 2), "15e2"},
		{decimal.New(0, 1), "0e1"},
		{decimal.Zero, "0"},
	} {
		got := recorddoc.DecimalString(tc.in)
		assert.Equal(t, tc.want, got)
		back := dec(got)
		assert.True(t, back.Equal(tc.in) && back.Exponent() == tc.in.Exponent(), "%s: %s", got, back)
	}
}
