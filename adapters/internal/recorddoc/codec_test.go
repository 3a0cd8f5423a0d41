package recorddoc_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/notarykit/notarykit/adapters/internal/recorddoc"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment"
)

// text draws strings with the characters a document must escape: quotes,
// backslashes, control characters, HTML's <>&, U+2028 and non-ASCII; and
// invalid UTF-8, which both codecs store as U+FFFD.
func text(t *rapid.T, label string) string {
	return rapid.OneOf(
		rapid.Just(""),
		rapid.StringMatching(`[a-z0-9 ._-]{1,12}`),
		rapid.StringOf(rapid.SampledFrom([]rune{'"', '\\', '\n', '\t', 0, 0x1f, '<', '>', '&', '\u2028', '合', 'é', '/', 'a'})),
		rapid.String(),
		rapid.Map(rapid.SliceOfN(rapid.Byte(), 1, 8), func(b []byte) string { return string(b) }),
	).Draw(t, label)
}

func instant(t *rapid.T, label string) time.Time {
	if rapid.Bool().Draw(t, label+" zero") {
		return time.Time{}
	}
	at := time.Unix(rapid.Int64Range(-62135596800, 253402300799).Draw(t, label), rapid.Int64Range(0, 999999999).Draw(t, label+" ns"))
	return at.In(rapid.SampledFrom([]*time.Location{time.UTC, cst, time.FixedZone("", -3*3600-1800)}).Draw(t, label+" zone"))
}

func money(t *rapid.T, label string) decimal.Decimal {
	if rapid.Bool().Draw(t, label+" zero value") {
		return decimal.Decimal{}
	}
	return decimal.New(rapid.Int64().Draw(t, label), rapid.Int32Range(-12, 12).Draw(t, label+" exp"))
}

func id(t *rapid.T, label string) uuid.UUID {
	var u uuid.UUID
	copy(u[:], rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, label))
	return u
}

func shipment(t *rapid.T, label string) *notary.Shipment {
	if rapid.Bool().Draw(t, label+" nil") {
		return nil
	}
	s := &notary.Shipment{Carrier: text(t, label+" carrier"), TrackingNumber: text(t, label+" number"), At: instant(t, label+" at")}
	if !rapid.Bool().Draw(t, label+" untracked") {
		s.Tracking = &notary.Tracking{State: notary.TrackingState(text(t, label+" state")),
			DeliveredAt: instant(t, label+" delivered"), UpdatedAt: instant(t, label+" tracked")}
		if !rapid.Bool().Draw(t, label+" no events") {
			s.Tracking.Events = rapid.SliceOfN(rapid.Custom(func(t *rapid.T) notary.TrackingEvent {
				return notary.TrackingEvent{At: instant(t, "scan at"), Location: text(t, "location"), Description: text(t, "description")}
			}), 1, 3).Draw(t, label+" events")
		}
	}
	return s
}

func evidence(t *rapid.T, label string) []notary.Evidence {
	if rapid.Bool().Draw(t, label+" nil") {
		return nil
	}
	return rapid.SliceOfN(rapid.Custom(func(t *rapid.T) notary.Evidence {
		return notary.Evidence{ID: text(t, "id"), Title: text(t, "title"), SHA256: text(t, "sha256")}
	}), 0, 4).Draw(t, label)
}

func anyApplication(t *rapid.T) notary.Application {
	a := notary.Application{
		ID: id(t, "id"), OfficeID: id(t, "office"),
		Owner: notary.User{ID: text(t, "owner id"), Email: text(t, "email"), Name: text(t, "name"), Locale: text(t, "locale")},
		State: notary.ApplicationState(text(t, "state")), Version: rapid.Int64().Draw(t, "version"),
		FilingID: id(t, "filing"), FilingRevision: rapid.Int().Draw(t, "revision"), Evidence: evidence(t, "evidence"),
		Quote: payment.Quote{Records: rapid.Int().Draw(t, "records"), Currency: text(t, "currency"), Amount: money(t, "amount")},
		Payment: notary.PaymentRef{Provider: text(t, "provider"), ID: text(t, "payment id"), CheckoutURL: text(t, "url"),
			Status: notary.PaymentStatus(text(t, "payment status")), PaidAt: instant(t, "paid at")},
		IdempotencyKey: text(t, "key"), Materials: shipment(t, "materials"), MaterialsAttempts: rapid.Int().Draw(t, "attempts"),
		CertificateNumber: text(t, "certificate number"), Certificate: shipment(t, "certificate"), Reason: text(t, "reason"),
		AuditHead: text(t, "audit head"), CreatedAt: instant(t, "created"), UpdatedAt: instant(t, "updated"), ExpiresAt: instant(t, "expires"),
	}
	if !rapid.Bool().Draw(t, "nil lines") {
		a.Quote.Lines = rapid.SliceOfN(rapid.Custom(func(t *rapid.T) payment.QuoteLine {
			return payment.QuoteLine{Description: text(t, "description"), Records: rapid.Int().Draw(t, "records"),
				UnitPrice: money(t, "unit price"), Amount: money(t, "line amount")}
		}), 0, 4).Draw(t, "lines")
	}
	if !rapid.Bool().Draw(t, "wallet") {
		a.Payment.Method, a.Payment.Serial = notary.MethodBankTransfer, text(t, "serial")
		a.Payment.Transfer = &notary.TransferInstructions{Account: notary.BankAccount{Name: text(t, "account name"),
			Bank: text(t, "bank"), Number: text(t, "account number")}, Reference: text(t, "reference")}
	}
	if !rapid.Bool().Draw(t, "no refund") {
		a.Refund = &notary.Refund{ID: text(t, "refund id"), Amount: money(t, "refund amount"), Currency: text(t, "refund currency"),
			Reason: text(t, "refund reason"), At: instant(t, "refund at")}
	}
	if !rapid.Bool().Draw(t, "no invoice") {
		issued := func(label string) *notary.IssuedInvoice {
			if rapid.Bool().Draw(t, label+" nil") {
				return nil
			}
			return &notary.IssuedInvoice{Number: text(t, label+" number"), IssuedOn: instant(t, label+" on"),
				PDFRef: text(t, label+" pdf"), PDFSHA256: text(t, label+" sha")}
		}
		a.Invoice = &notary.Invoice{State: notary.InvoiceState(text(t, "invoice state")),
			Request: notary.InvoiceRequest{Type: notary.InvoiceType(text(t, "invoice type")), Title: text(t, "invoice title"),
				TaxpayerID: text(t, "taxpayer id"), Email: text(t, "invoice email")},
			Amount: money(t, "invoice amount"), Currency: text(t, "invoice currency"), RequestedAt: instant(t, "requested at"),
			Issued: issued("issued"), Reversal: issued("reversal"), Reason: text(t, "invoice reason"), UpdatedAt: instant(t, "invoice updated")}
	}
	return a
}

// TestApplicationCodecAgreesWithReference checks the hand-written codec
// against the reflection-based one it replaced, on arbitrary applications:
// each reads what the other writes to the same application, and both write
// the same JSON value.
func TestApplicationCodecAgreesWithReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := anyApplication(t)
		doc := recorddoc.EncodeApplication(a)
		ref, err := oracleEncode(a)
		require.NoError(t, err)

		var got, want any
		require.NoError(t, json.Unmarshal(doc, &got), "%s", doc)
		require.NoError(t, json.Unmarshal(ref, &want))
		require.Equal(t, want, got, "the same JSON value")

		fromRef, err := recorddoc.DecodeApplication(ref)
		require.NoError(t, err)
		wantApp, err := oracleDecode(ref)
		require.NoError(t, err)
		requireSameApplication(t, wantApp, fromRef)

		own, err := recorddoc.DecodeApplication(doc)
		require.NoError(t, err)
		requireSameApplication(t, wantApp, own)
	})
}

// requireSameApplication compares applications, decimals by coefficient
// and exponent too (Equal alone would let 1.50 pass for 1.5).
func requireSameApplication(t require.TestingT, want, got notary.Application) {
	require.Equal(t, want, got)
	same := func(w, g decimal.Decimal) {
		require.True(t, w.Equal(g) && w.Exponent() == g.Exponent(), "%s vs %s", w, g)
	}
	same(want.Quote.Amount, got.Quote.Amount)
	for i := range want.Quote.Lines {
		same(want.Quote.Lines[i].UnitPrice, got.Quote.Lines[i].UnitPrice)
		same(want.Quote.Lines[i].Amount, got.Quote.Lines[i].Amount)
	}
	if want.Refund != nil {
		same(want.Refund.Amount, got.Refund.Amount)
	}
	if want.Invoice != nil {
		same(want.Invoice.Amount, got.Invoice.Amount)
	}
}

func anyNotice(t *rapid.T) notary.Notice {
	var materials []string
	if !rapid.Bool().Draw(t, "nil materials") {
		materials = rapid.SliceOfN(rapid.Custom(func(t *rapid.T) string { return text(t, "material") }), 0, 3).Draw(t, "materials")
	}
	return notary.Notice{
		RecordKind: notary.RecordKind(text(t, "record kind")),
		To:         notary.Recipient{UserID: text(t, "user"), Email: text(t, "email"), Name: text(t, "name"), Locale: text(t, "locale"), Endpoint: text(t, "endpoint")},
		Data: notary.NoticeData{
			OfficeName: text(t, "office"), RecordID: id(t, "record"), EnterpriseName: text(t, "enterprise"),
			Revision: rapid.Int().Draw(t, "revision"), Reason: text(t, "reason"), Evidence: evidence(t, "evidence"),
			Amount: text(t, "amount"), Currency: text(t, "currency"), Materials: materials,
			MailingAddress: text(t, "address"), Carrier: text(t, "carrier"), TrackingNumber: text(t, "tracking"),
			CertificateNumber: text(t, "certificate"), Automatic: rapid.Bool().Draw(t, "automatic"),
			DeliveredAt: instant(t, "delivered").UTC(), ConfirmBy: instant(t, "confirm by").UTC(),
			InvoiceType: notary.InvoiceType(text(t, "invoice type")), InvoiceTitle: text(t, "invoice title"),
			TaxpayerID: text(t, "taxpayer id"), InvoiceNumber: text(t, "invoice number"), InvoiceDate: text(t, "invoice date"),
			ReversalNumber: text(t, "reversal number"), ReversalDate: text(t, "reversal date"),
		},
	}
}

// TestNoticeCodecAgreesWithReference checks the notice document against
// encoding/json with the types' own tags, which is how it was stored
// before it was written by hand.
func TestNoticeCodecAgreesWithReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := anyNotice(t)
		doc := recorddoc.EncodeNotice(n)
		ref, err := json.Marshal(oracleNotice{RecordKind: n.RecordKind, To: n.To, Data: n.Data})
		require.NoError(t, err)

		var got, want any
		require.NoError(t, json.Unmarshal(doc, &got), "%s", doc)
		require.NoError(t, json.Unmarshal(ref, &want))
		require.Equal(t, want, got, "the same JSON value")

		var wantDoc oracleNotice
		require.NoError(t, json.Unmarshal(ref, &wantDoc))
		for _, b := range [][]byte{doc, ref} {
			var n notary.Notice
			require.NoError(t, recorddoc.DecodeNotice(b, &n))
			require.Equal(t, wantDoc, oracleNotice{RecordKind: n.RecordKind, To: n.To, Data: n.Data})
		}
	})
}

func TestDecodeNoticeKeepsOtherFields(t *testing.T) {
	n := notary.Notice{ID: uuid.New(), Kind: "payment_succeeded", Attempts: 2,
		To: notary.Recipient{Email: "a@example.com"}, Data: notary.NoticeData{RecordID: uuid.New(), Amount: "150.00"}}
	var got notary.Notice
	got.ID, got.Kind, got.Attempts = n.ID, n.Kind, n.Attempts
	require.NoError(t, recorddoc.DecodeNotice(recorddoc.EncodeNotice(n), &got))
	assert.Equal(t, n, got)

	before := got
	err := recorddoc.DecodeNotice([]byte(`{"to":{"email":"b@example.com"},"data":{"record_id":7}}`), &got)
	assert.ErrorContains(t, err, "recorddoc: decode notice")
	assert.Equal(t, before, got, "a failed decode changes nothing")
}

// FuzzDecodeApplication feeds arbitrary bytes to the decoder: it must
// never panic, and what it accepts must survive a round trip unchanged.
func FuzzDecodeApplication(f *testing.F) {
	f.Add(recorddoc.EncodeApplication(fullApplication()))
	f.Add(recorddoc.EncodeApplication(notary.Application{}))
	f.Add([]byte(`{"evidence":[{"id":"a\u0000\"b"}],"quote":{"lines":[],"amount":"1e3"},"refund":null,"x":[1,{"y":2}]}`))
	f.Add([]byte(`{"version":-9223372036854775808,"created_at":"2026-01-02T03:04:05.999999999+08:00"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := recorddoc.DecodeApplication(b)
		if err != nil {
			return
		}
		back, err := recorddoc.DecodeApplication(recorddoc.EncodeApplication(a))
		require.NoError(t, err)
		requireSameApplication(t, a, back)
	})
}

// FuzzDecodeNotice is FuzzDecodeApplication for notice documents.
func FuzzDecodeNotice(f *testing.F) {
	f.Add(recorddoc.EncodeNotice(notary.Notice{RecordKind: notary.KindApplication,
		To:   notary.Recipient{UserID: "u1", Email: "u1@example.com"},
		Data: notary.NoticeData{RecordID: uuid.New(), Evidence: []notary.Evidence{{ID: "e"}}, Materials: []string{"form"}, Automatic: true}}))
	f.Add([]byte(`{"data":{"revision":3,"materials":null,"automatic":false},"to":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var n notary.Notice
		if err := recorddoc.DecodeNotice(b, &n); err != nil {
			return
		}
		var back notary.Notice
		require.NoError(t, recorddoc.DecodeNotice(recorddoc.EncodeNotice(n), &back))
		// Empty members are left out, so an empty list comes back nil.
		if len(n.Data.Evidence) == 0 {
			n.Data.Evidence = nil
		}
		if len(n.Data.Materials) == 0 {
			n.Data.Materials = nil
		}
		require.Equal(t, n, back)
	})
}

// TestNoticeEventRoundTrip checks a host event document is kept byte for
// byte: receivers verify signatures over it.
func TestNoticeEventRoundTrip(t *testing.T) {
	body := []byte(`{"id":"e1","type":"application.completed","data":{"amount":"300.00","x":[1,{"y":"\u00e9"}]}}`)
	n := notary.Notice{RecordKind: notary.KindApplication, Channel: notary.ChannelHost,
		Data: notary.NoticeData{RecordID: uuid.New()}, Event: body}
	var got notary.Notice
	require.NoError(t, recorddoc.DecodeNotice(recorddoc.EncodeNotice(n), &got))
	assert.Equal(t, string(body), string(got.Event))

	var none notary.Notice
	require.NoError(t, recorddoc.DecodeNotice(recorddoc.EncodeNotice(notary.Notice{Data: n.Data}), &none))
	assert.Nil(t, none.Event)
}
