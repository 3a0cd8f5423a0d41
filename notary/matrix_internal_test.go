package notary

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/payment"
)

// TestTellCarriesWhatTheMatrixSays pins, per transition, who is told and
// the exact data the notices carry, from records with every field set.
func TestTellCarriesWhatTheMatrixSays(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := &Service{ids: newRandomIDs(), office: Office{
		ID: uuid.New(), Name: "Office", AdminEmails: []string{"a@office.example", "b@office.example"},
		MailingAddress: "1 Road", Materials: []string{"letter", "copy"}, Locale: "zh-CN",
		AutoConfirmAfter: 7 * 24 * time.Hour,
	}}
	materialsIn, certificateIn := at.Add(-48*time.Hour), at.Add(-time.Hour)
	payBy := at.Add(7 * 24 * time.Hour)
	owner := User{ID: "u1", Email: "u1@example.com", Name: "U", Locale: "en"}
	filing := Filing{ID: uuid.New(), Owner: owner, Revision: 3, Reason: "blurry",
		Content: FilingContent{EnterpriseName: "ACME"}}
	evidence := []Evidence{{ID: "e1", Title: "t", SHA256: "00"}}
	app := Application{ID: uuid.New(), Owner: owner, Evidence: evidence, Reason: "why",
		Quote: payment.Quote{Amount: decimal.RequireFromString("12.5"), Currency: "CNY"},
		Materials: &Shipment{Carrier: "SF", TrackingNumber: "M1",
			Tracking: &Tracking{State: TrackingDelivered, DeliveredAt: materialsIn}},
		Certificate: &Shipment{Carrier: "EMS", TrackingNumber: "C1", At: at.Add(-72 * time.Hour),
			Tracking: &Tracking{State: TrackingDelivered, DeliveredAt: certificateIn}},
		CertificateNumber: "N1",
		Payment: PaymentRef{Method: MethodBankTransfer, Transfer: &TransferInstructions{Reference: "NK-REF",
			Account: BankAccount{Name: "Office", Bank: "Bank", Number: "12345678"}}},
		ExpiresAt: payBy,
		Refund:    &Refund{Amount: decimal.RequireFromString("3"), Currency: "CNY", Reason: "policy"},
		Invoice: &Invoice{State: InvoiceReversed, Request: InvoiceRequest{Type: InvoiceSpecial, Title: "ACME Ltd", TaxpayerID: "T1"},
			Amount: decimal.RequireFromString("9.5"), Currency: "CNY", Reason: "wrong title",
			Issued:   &IssuedInvoice{Number: "11111111", IssuedOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
			Reversal: &IssuedInvoice{Number: "22222222", IssuedOn: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}},
	}
	fd := NoticeData{OfficeName: "Office", RecordID: filing.ID, EnterpriseName: "ACME", Revision: 3, Reason: "blurry"}
	ad := NoticeData{OfficeName: "Office", RecordID: app.ID, Reason: "why", Evidence: evidence, Amount: "12.50", Currency: "CNY"}
	with := func(d NoticeData, f func(*NoticeData)) NoticeData { f(&d); return d }
	inv := NoticeData{OfficeName: "Office", RecordID: app.ID, InvoiceType: InvoiceSpecial, InvoiceTitle: "ACME Ltd",
		TaxpayerID: "T1", Amount: "9.50", Currency: "CNY"}

	tests := []struct {
		kind         RecordKind
		trigger      string
		user, office NoticeKind
		data         NoticeData
	}{
		{KindFiling, "submit", "", NoticeFilingReview, fd},
		{KindFiling, "resubmit", "", NoticeFilingReview, fd},
		{KindFiling, "amend", "", NoticeFilingReview, fd},
		{KindFiling, "approve", NoticeFilingApproved, "", fd},
		{KindFiling, "reject", NoticeFilingRejected, "", fd},
		{KindApplication, "apply", "", "", NoticeData{}},
		{KindApplication, "apply_by_transfer", NoticeTransferInstructions, "", with(ad, func(d *NoticeData) {
			d.Reason = ""
			d.PayeeName, d.PayeeBank, d.PayeeAccount, d.TransferReference = "Office", "Bank", "12345678", "NK-REF"
			d.PayBy = payBy
		})},
		{KindApplication, "payment_succeeded", NoticePaymentReceived, NoticePreliminaryReview, ad},
		{KindApplication, "transfer_received", NoticePaymentReceived, NoticePreliminaryReview, ad},
		{KindApplication, "payment_failed", NoticePaymentFailed, "", ad},
		{KindApplication, "payment_closed", NoticeCancelled, "", ad},
		{KindApplication, "expire", NoticeCancelled, "", ad},
		{KindApplication, "cancel", NoticeCancelled, "", ad},
		{KindApplication, "approve_preliminary", NoticePreliminaryApproved, "", with(ad, func(d *NoticeData) {
			d.Materials, d.MailingAddress = []string{"letter", "copy"}, "1 Road"
		})},
		{KindApplication, "reject_preliminary", NoticePreliminaryRejected, "", ad},
		{KindApplication, "submit_materials", NoticeMaterialsReceived, NoticeFinalReview, with(ad, func(d *NoticeData) {
			d.Carrier, d.TrackingNumber = "SF", "M1"
		})},
		{KindApplication, "reject_final", NoticeFinalRejected, "", ad},
		{KindApplication, "approve_final", NoticeInProduction, "", with(ad, func(d *NoticeData) { d.CertificateNumber = "N1" })},
		{KindApplication, "ship", NoticeShipped, "", with(ad, func(d *NoticeData) {
			d.CertificateNumber, d.Carrier, d.TrackingNumber = "N1", "EMS", "C1"
		})},
		{KindApplication, "confirm_receipt", NoticeCompleted, NoticeReceiptConfirmed, with(ad, func(d *NoticeData) { d.CertificateNumber = "N1" })},
		{KindApplication, "auto_confirm", NoticeCompleted, NoticeReceiptConfirmed, with(ad, func(d *NoticeData) {
			d.CertificateNumber, d.Automatic = "N1", true
		})},
		{KindApplication, "track_materials", "", "", NoticeData{}},
		{KindApplication, "materials_delivered", "", NoticeMaterialsArrived, with(ad, func(d *NoticeData) {
			d.Carrier, d.TrackingNumber, d.DeliveredAt = "SF", "M1", materialsIn
		})},
		{KindApplication, "track_certificate", "", "", NoticeData{}},
		{KindApplication, "certificate_delivered", NoticeCertificateDelivered, "", with(ad, func(d *NoticeData) {
			d.CertificateNumber, d.Carrier, d.TrackingNumber = "N1", "EMS", "C1"
			d.DeliveredAt, d.ConfirmBy = certificateIn, certificateIn.Add(7*24*time.Hour) // counted from delivery
		})},
		// The refund's own amount and reason, not the record's.
		{KindApplication, "refund", NoticeRefunded, "", with(ad, func(d *NoticeData) { d.Amount, d.Reason = "3.00", "policy" })},
		{KindApplication, "close_payment", "", "", NoticeData{}},
		// The invoice's amount and reason, not the fee's or the record's.
		{KindApplication, "request_invoice", "", NoticeInvoiceRequested, with(inv, func(*NoticeData) {})},
		{KindApplication, "issue_invoice", NoticeInvoiceIssued, "", with(inv, func(d *NoticeData) {
			d.InvoiceNumber, d.InvoiceDate = "11111111", "2026-01-01"
		})},
		{KindApplication, "reject_invoice", NoticeInvoiceRejected, "", with(inv, func(d *NoticeData) { d.Reason = "wrong title" })},
		{KindApplication, "reverse_invoice", NoticeInvoiceReversed, "", with(inv, func(d *NoticeData) {
			d.InvoiceNumber, d.InvoiceDate, d.ReversalNumber, d.ReversalDate = "11111111", "2026-01-01", "22222222", "2026-01-02"
		})},
	}
	require.Len(t, tests, len(Notices.Rules()), "a matrix row without a case here")
	for _, tc := range tests {
		t.Run(string(tc.kind)+"/"+tc.trigger, func(t *testing.T) {
			src, id := noticeSource{app: &app}, app.ID
			if tc.kind == KindFiling {
				src, id = noticeSource{filing: &filing}, filing.ID
			}
			kind, _, _ := src.record()
			require.Equal(t, tc.kind, kind)
			got := s.tell(tc.trigger, src, at, 0)
			var want []Notice
			add := func(k NoticeKind, ch Channel, to Recipient) {
				want = append(want, Notice{OfficeID: s.office.ID, RecordID: id, RecordKind: tc.kind, Kind: k,
					Channel: ch, To: to, Data: tc.data, CreatedAt: at, Status: NoticePending, NextAttemptAt: at})
			}
			if tc.user != "" {
				to := Recipient{UserID: "u1", Email: "u1@example.com", Name: "U", Locale: "en"}
				add(tc.user, ChannelInSite, to)
				add(tc.user, ChannelEmail, to)
			}
			if tc.office != "" {
				add(tc.office, ChannelEmail, Recipient{Email: "a@office.example", Name: "Office", Locale: "zh-CN"})
				add(tc.office, ChannelEmail, Recipient{Email: "b@office.example", Name: "Office", Locale: "zh-CN"})
			}
			require.Len(t, got, len(want))
			seen := map[uuid.UUID]bool{}
			for i := range got {
				assert.NotEqual(t, uuid.Nil, got[i].ID)
				assert.False(t, seen[got[i].ID], "notice IDs are unique")
				seen[got[i].ID] = true
				got[i].ID = uuid.Nil
			}
			assert.Equal(t, want, got)
		})
	}
}

func TestNoticeMatrixRefusesTwoRowsForOneTrigger(t *testing.T) {
	assert.PanicsWithValue(t, "notary: two notice rules for filing submit", func() {
		newNoticeMatrix(onFiling(FilingSubmit, "", NoticeFilingReview, 0), onFiling(FilingSubmit, NoticeFilingApproved, "", 0))
	})
}
