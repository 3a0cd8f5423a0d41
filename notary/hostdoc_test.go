package notary

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/notarykit/notarykit/payment"
)

// jsonText draws strings that exercise every branch of appendJSONString:
// plain ASCII, characters encoding/json escapes (quotes, controls, HTML
// and U+2028), any Unicode, and invalid UTF-8.
func jsonText() *rapid.Generator[string] {
	return rapid.OneOf(
		rapid.StringMatching(`[A-Za-z0-9 ._:/-]{0,12}`),
		rapid.StringOf(rapid.SampledFrom([]rune{'a', '"', '\\', '\n', '\t', 0, 0x1f, '<', '>', '&', 0x2028, 0x2029, 'é', '证', 0x7f})),
		rapid.String(),
		rapid.Map(rapid.SliceOfN(rapid.Byte(), 0, 8), func(b []byte) string { return string(b) }),
	)
}

func drawShipment(t *rapid.T, label string) *hostShipment {
	if rapid.Bool().Draw(t, label) {
		return nil
	}
	return &hostShipment{Carrier: jsonText().Draw(t, label+".carrier"), TrackingNumber: jsonText().Draw(t, label+".number"),
		Status: jsonText().Draw(t, label+".status")}
}

func drawIssued(t *rapid.T, label string) *hostIssuedInvoice {
	if rapid.Bool().Draw(t, label) {
		return nil
	}
	return &hostIssuedInvoice{Number: jsonText().Draw(t, label+".number"), IssuedOn: jsonText().Draw(t, label+".on"),
		PDFRef: jsonText().Draw(t, label+".ref"), PDFSHA256: jsonText().Draw(t, label+".sha")}
}

func drawApplication(t *rapid.T) hostApplication {
	s := func(label string) string { return jsonText().Draw(t, label) }
	a := hostApplication{ID: s("id"), State: s("state"), OwnerID: s("owner"), FilingID: s("filing"),
		FilingRevision: rapid.IntRange(-2, 3).Draw(t, "revision"), Amount: s("amount"), Currency: s("currency"),
		PaymentProvider: s("provider"), PaymentID: s("payment"), PaymentMethod: s("method"), PaymentReference: s("reference"),
		PaymentSerial: s("serial"), CertificateNumber: s("certificate_number"), Reason: s("reason"),
		Materials: drawShipment(t, "materials"), Certificate: drawShipment(t, "certificate")}
	if !rapid.Bool().Draw(t, "nil evidence") {
		a.EvidenceIDs = rapid.SliceOfN(jsonText(), 0, 4).Draw(t, "evidence")
	}
	if rapid.Bool().Draw(t, "refund") {
		a.Refund = &hostMoney{Amount: s("refund.amount"), Currency: s("refund.currency"), Reason: s("refund.reason")}
	}
	if rapid.Bool().Draw(t, "invoice") {
		a.Invoice = &hostInvoice{State: s("invoice.state"), Type: s("invoice.type"), Title: s("invoice.title"),
			TaxpayerID: s("invoice.taxpayer"), Amount: s("invoice.amount"), Currency: s("invoice.currency"),
			Reason: s("invoice.reason"), Issued: drawIssued(t, "issued"), Reversal: drawIssued(t, "reversal")}
	}
	return a
}

func drawFiling(t *rapid.T) hostFiling {
	s := func(label string) string { return jsonText().Draw(t, label) }
	return hostFiling{ID: s("id"), State: s("state"), OwnerID: s("owner"), EnterpriseName: s("enterprise"),
		Revision: rapid.IntRange(-1, 3).Draw(t, "revision"), ApprovedRevision: rapid.IntRange(-1, 3).Draw(t, "approved"),
		Reason: s("reason")}
}

// TestHostDocEncodesAsEncodingJSON holds the hand-written encoding of host
// event documents to encoding/json's of the same values (their json tags
// are the format), for any content: escapes, omissions, nil slices and
// times included.
func TestHostDocEncodesAsEncodingJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		at := time.Unix(rapid.Int64Range(-70_000_000_000, 300_000_000_000).Draw(t, "unix"),
			rapid.Int64Range(0, 999_999_999).Draw(t, "nanos"))
		if rapid.Bool().Draw(t, "zone") {
			at = at.In(time.FixedZone("", rapid.IntRange(-12, 14).Draw(t, "offset")*3600))
		}
		doc := hostDoc{hostEnvelope: hostEnvelope{ID: jsonText().Draw(t, "env.id"), Type: HostEventType(jsonText().Draw(t, "env.type")),
			APIVersion: jsonText().Draw(t, "env.version"), OfficeID: jsonText().Draw(t, "env.office"), OccurredAt: at,
			Trigger: jsonText().Draw(t, "env.trigger"), Record: hostRecord{Kind: RecordKind(jsonText().Draw(t, "env.kind")),
				ID: jsonText().Draw(t, "env.record"), Version: rapid.Int64().Draw(t, "env.seq")}}}
		if rapid.Bool().Draw(t, "filing") {
			doc.Data = drawFiling(t)
		} else {
			doc.Data = drawApplication(t)
		}
		want, wantErr := json.Marshal(doc)
		got, err := doc.appendJSON([]byte("prefix"))
		if wantErr != nil {
			require.Error(t, err, "encoding/json refused %v", at)
			return
		}
		require.NoError(t, err)
		require.Equal(t, "prefix"+string(want), string(got))
	})
}

// BenchmarkHostDoc compares the hand-written encoding of an application's
// host event document with encoding/json's.
func BenchmarkHostDoc(b *testing.B) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 123456000, time.UTC)
	a := Application{ID: uuid.New(), OfficeID: uuid.New(), Owner: User{ID: "user-42"}, State: MaterialsRejected,
		FilingID: uuid.New(), FilingRevision: 2, Version: 7,
		Evidence: []Evidence{{ID: "ev-0001"}, {ID: "ev-0002"}, {ID: "ev-0003"}},
		Quote:    payment.Quote{Amount: decimal.RequireFromString("300"), Currency: "CNY"},
		Payment:  PaymentRef{Provider: "mock", ID: uuid.NewString()}, Reason: "missing signature",
		Materials: &Shipment{Carrier: "SF", TrackingNumber: "SF1234567890123"}}
	ev := Event{ID: uuid.New(), RecordID: a.ID, RecordKind: KindApplication, OfficeID: a.OfficeID, Seq: a.Version,
		Trigger: string(AppRejectFinal), At: at}
	doc := hostDoc{hostEnvelope: envelopeOf(ev), Data: hostData(noticeSource{app: &a})}
	b.Run("append", func(b *testing.B) {
		for b.Loop() {
			if _, err := doc.appendJSON(make([]byte, 0, 1024)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
