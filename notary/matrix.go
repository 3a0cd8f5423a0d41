package notary

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Carries is the set of facts a notice's data holds besides the office's
// name and the record's ID, which every notice carries.
type Carries uint32

// Facts a notice may carry. Each names the NoticeData fields it fills and
// where their values come from.
const (
	CarriesFiling              Carries = 1 << iota // EnterpriseName, Revision: the filing's
	CarriesReason                                  // Reason: the record's reason
	CarriesEvidence                                // Evidence: the application's evidence
	CarriesFee                                     // Amount, Currency: the quoted fee
	CarriesRefund                                  // Amount, Currency, Reason: the refund's
	CarriesOfficeMaterials                         // Materials, MailingAddress: the office's
	CarriesMaterialsShipment                       // Carrier, TrackingNumber: the paper materials' consignment
	CarriesCertificateNumber                       // CertificateNumber
	CarriesCertificateShipment                     // Carrier, TrackingNumber: the certificate's consignment
	CarriesAutomatic                               // Automatic: receipt confirmed by the sweep, not the user
	CarriesMaterialsDelivery                       // DeliveredAt: when the courier delivered the materials
	CarriesCertificateDelivery                     // DeliveredAt, ConfirmBy: the certificate's delivery and auto-confirmation
	CarriesInvoiceRequest                          // InvoiceType, InvoiceTitle, TaxpayerID, Amount, Currency: the invoice asked for
	CarriesInvoiceReason                           // Reason: why finance rejected the invoice request
	CarriesInvoice                                 // InvoiceNumber, InvoiceDate: the invoice issued
	CarriesInvoiceReversal                         // ReversalNumber, ReversalDate: the reversing (红字) invoice
	CarriesTransfer                                // PayeeName, PayeeBank, PayeeAccount, TransferReference, PayBy: where and by when to transfer
)

// noticeSource is what a notice's data is taken from: the record after the
// transition, and the office.
type noticeSource struct {
	filing *Filing
	app    *Application
	office *Office
}

// record returns the kind, ID and owner of the source's record.
func (src noticeSource) record() (RecordKind, uuid.UUID, User) {
	if src.filing != nil {
		return KindFiling, src.filing.ID, src.filing.Owner
	}
	return KindApplication, src.app.ID, src.app.Owner
}

// facts says, once per fact, what it is called in the matrix and how it
// fills a notice's data, in the order facts are applied.
var facts = []struct {
	c    Carries
	name string
	fill func(d *NoticeData, src noticeSource)
}{
	{CarriesFiling, "enterprise name, revision", func(d *NoticeData, src noticeSource) {
		d.EnterpriseName, d.Revision = src.filing.Content.EnterpriseName, src.filing.Revision
	}},
	{CarriesReason, "reason", func(d *NoticeData, src noticeSource) {
		if src.filing != nil {
			d.Reason = src.filing.Reason
		} else {
			d.Reason = src.app.Reason
		}
	}},
	{CarriesEvidence, "evidence", func(d *NoticeData, src noticeSource) { d.Evidence = src.app.Evidence }},
	{CarriesFee, "fee", func(d *NoticeData, src noticeSource) {
		d.Amount, d.Currency = src.app.Quote.Amount.StringFixed(2), src.app.Quote.Currency
	}},
	{CarriesRefund, "refund amount and reason", func(d *NoticeData, src noticeSource) {
		d.Amount, d.Currency = src.app.Refund.Amount.StringFixed(2), src.app.Refund.Currency
		d.Reason = src.app.Refund.Reason
	}},
	{CarriesOfficeMaterials, "materials list, mailing address", func(d *NoticeData, src noticeSource) {
		d.Materials, d.MailingAddress = src.office.Materials, src.office.MailingAddress
	}},
	{CarriesMaterialsShipment, "materials' carrier, tracking number", func(d *NoticeData, src noticeSource) {
		d.Carrier, d.TrackingNumber = src.app.Materials.Carrier, src.app.Materials.TrackingNumber
	}},
	{CarriesCertificateNumber, "certificate number", func(d *NoticeData, src noticeSource) {
		d.CertificateNumber = src.app.CertificateNumber
	}},
	{CarriesCertificateShipment, "certificate's carrier, tracking number", func(d *NoticeData, src noticeSource) {
		d.Carrier, d.TrackingNumber = src.app.Certificate.Carrier, src.app.Certificate.TrackingNumber
	}},
	{CarriesAutomatic, "confirmed automatically", func(d *NoticeData, _ noticeSource) { d.Automatic = true }},
	{CarriesMaterialsDelivery, "materials' delivery time", func(d *NoticeData, src noticeSource) {
		if t := src.app.Materials.Tracking; t != nil {
			d.DeliveredAt = t.DeliveredAt
		}
	}},
	{CarriesCertificateDelivery, "certificate's delivery time, auto-confirmation date", func(d *NoticeData, src noticeSource) {
		if t := src.app.Certificate.Tracking; t != nil {
			d.DeliveredAt = t.DeliveredAt
		}
		if at, ok := src.office.AutoConfirmAt(*src.app); ok {
			d.ConfirmBy = at
		}
	}},
	{CarriesInvoiceRequest, "invoice type, title, taxpayer ID, amount", func(d *NoticeData, src noticeSource) {
		inv := src.app.Invoice
		d.InvoiceType, d.InvoiceTitle, d.TaxpayerID = inv.Request.Type, inv.Request.Title, inv.Request.TaxpayerID
		d.Amount, d.Currency = inv.Amount.StringFixed(2), inv.Currency
	}},
	{CarriesInvoiceReason, "reason of the invoice's rejection", func(d *NoticeData, src noticeSource) {
		d.Reason = src.app.Invoice.Reason
	}},
	{CarriesInvoice, "invoice number, issue date", func(d *NoticeData, src noticeSource) {
		if i := src.app.Invoice.Issued; i != nil {
			d.InvoiceNumber, d.InvoiceDate = i.Number, i.IssuedOn.Format(time.DateOnly)
		}
	}},
	{CarriesInvoiceReversal, "reversing invoice's number, issue date", func(d *NoticeData, src noticeSource) {
		if i := src.app.Invoice.Reversal; i != nil {
			d.ReversalNumber, d.ReversalDate = i.Number, i.IssuedOn.Format(time.DateOnly)
		}
	}},
	{CarriesTransfer, "office's bank account, transfer reference, deadline", func(d *NoticeData, src noticeSource) {
		if t := src.app.Payment.Transfer; t != nil {
			d.PayeeName, d.PayeeBank, d.PayeeAccount, d.TransferReference = t.Account.Name, t.Account.Bank, t.Account.Number, t.Reference
		}
		d.PayBy = src.app.ExpiresAt
	}},
}

// Names lists the facts in c in the matrix's words.
func (c Carries) Names() []string {
	var out []string
	for _, f := range facts {
		if c&f.c != 0 {
			out = append(out, f.name)
		}
	}
	return out
}

// NoticeRule is one row of the notice matrix: when a record of kind Record
// takes Trigger, its owner is told User (in-site and by email) and the
// office's admin mailbox is told Office (by email), each notice carrying
// Carries. An empty kind tells nobody on that side.
type NoticeRule struct {
	Record  RecordKind
	Trigger string
	User    NoticeKind
	Office  NoticeKind
	Carries Carries
}

// NoticeMatrix is SPEC's "Who is told what" as one table: the transitions
// look their notices up in it, and it renders the matrix for the README.
type NoticeMatrix struct {
	rules []NoticeRule
	index map[noticeKey]int
}

type noticeKey struct {
	record  RecordKind
	trigger string
}

func newNoticeMatrix(rules ...NoticeRule) *NoticeMatrix {
	m := &NoticeMatrix{rules: rules, index: make(map[noticeKey]int, len(rules))}
	for i, r := range rules {
		k := noticeKey{r.Record, r.Trigger}
		if _, dup := m.index[k]; dup {
			panic(fmt.Sprintf("notary: two notice rules for %s %s", r.Record, r.Trigger))
		}
		m.index[k] = i
	}
	return m
}

// onFiling is a row for a filing trigger.
func onFiling(t FilingTrigger, user, office NoticeKind, c Carries) NoticeRule {
	return NoticeRule{KindFiling, string(t), user, office, c}
}

// onApplication is a row for an application trigger.
func onApplication(t ApplicationTrigger, user, office NoticeKind, c Carries) NoticeRule {
	return NoticeRule{KindApplication, string(t), user, office, c}
}

// What every filing and application notice carries.
const (
	filingFacts = CarriesFiling | CarriesReason
	appFacts    = CarriesReason | CarriesEvidence | CarriesFee
)

// Notices is who is told what, per transition. Every trigger of the
// filing, application and invoice lifecycles has exactly one row; adding a
// notice is adding a row.
var Notices = newNoticeMatrix(
	onFiling(FilingSubmit, "", NoticeFilingReview, filingFacts),
	onFiling(FilingResubmit, "", NoticeFilingReview, filingFacts),
	onFiling(FilingAmend, "", NoticeFilingReview, filingFacts),
	onFiling(FilingApprove, NoticeFilingApproved, "", filingFacts),
	onFiling(FilingReject, NoticeFilingRejected, "", filingFacts),

	onApplication(AppApply, "", "", 0),
	onApplication(AppApplyByTransfer, NoticeTransferInstructions, "", CarriesEvidence|CarriesFee|CarriesTransfer),
	onApplication(AppPaymentSucceeded, NoticePaymentReceived, NoticePreliminaryReview, appFacts),
	onApplication(AppTransferReceived, NoticePaymentReceived, NoticePreliminaryReview, appFacts),
	onApplication(AppPaymentFailed, NoticePaymentFailed, "", appFacts),
	onApplication(AppPaymentClosed, NoticeCancelled, "", appFacts),
	onApplication(AppExpire, NoticeCancelled, "", appFacts),
	onApplication(AppCancel, NoticeCancelled, "", appFacts),
	onApplication(AppApprovePreliminary, NoticePreliminaryApproved, "", appFacts|CarriesOfficeMaterials),
	onApplication(AppRejectPreliminary, NoticePreliminaryRejected, "", appFacts),
	onApplication(AppSubmitMaterials, NoticeMaterialsReceived, NoticeFinalReview, appFacts|CarriesMaterialsShipment),
	onApplication(AppRejectFinal, NoticeFinalRejected, "", appFacts),
	onApplication(AppApproveFinal, NoticeInProduction, "", appFacts|CarriesCertificateNumber),
	onApplication(AppShip, NoticeShipped, "", appFacts|CarriesCertificateNumber|CarriesCertificateShipment),
	onApplication(AppConfirmReceipt, NoticeCompleted, NoticeReceiptConfirmed, appFacts|CarriesCertificateNumber),
	onApplication(AppAutoConfirm, NoticeCompleted, NoticeReceiptConfirmed, appFacts|CarriesCertificateNumber|CarriesAutomatic),
	onApplication(AppTrackMaterials, "", "", 0),
	onApplication(AppMaterialsDelivered, "", NoticeMaterialsArrived, appFacts|CarriesMaterialsShipment|CarriesMaterialsDelivery),
	onApplication(AppTrackCertificate, "", "", 0),
	onApplication(AppCertificateDelivered, NoticeCertificateDelivered, "", appFacts|CarriesCertificateNumber|CarriesCertificateShipment|CarriesCertificateDelivery),
	onApplication(AppRefund, NoticeRefunded, "", CarriesEvidence|CarriesRefund),
	onApplication(AppCloseOrder, "", "", 0),
	onApplication(AppRequestInvoice, "", NoticeInvoiceRequested, CarriesInvoiceRequest),
	onApplication(AppIssueInvoice, NoticeInvoiceIssued, "", CarriesInvoiceRequest|CarriesInvoice),
	onApplication(AppRejectInvoice, NoticeInvoiceRejected, "", CarriesInvoiceRequest|CarriesInvoiceReason),
	onApplication(AppReverseInvoice, NoticeInvoiceReversed, "", CarriesInvoiceRequest|CarriesInvoice|CarriesInvoiceReversal),
)

// Rules returns the matrix's table.
func (m *NoticeMatrix) Rules() []NoticeRule { return slices.Clone(m.rules) }

// Rule returns the row for a record kind and trigger.
func (m *NoticeMatrix) Rule(record RecordKind, trigger string) (NoticeRule, bool) {
	i, ok := m.index[noticeKey{record, trigger}]
	if !ok {
		return NoticeRule{}, false
	}
	return m.rules[i], true
}

// Markdown renders the matrix as a Markdown table in SPEC's words, one row
// per run of adjacent rules that tell the same.
func (m *NoticeMatrix) Markdown() string {
	var b strings.Builder
	b.WriteString("| record | trigger | user is told (in-site + email) | office is told (email) | the notices carry |\n")
	b.WriteString("|---|---|---|---|---|\n")
	kind := func(k NoticeKind) string {
		if k == "" {
			return "—"
		}
		return "`" + string(k) + "`"
	}
	for i := 0; i < len(m.rules); {
		r := m.rules[i]
		triggers := []string{"`" + r.Trigger + "`"}
		j := i + 1
		for ; j < len(m.rules); j++ {
			n := m.rules[j]
			if n.Record != r.Record || n.User != r.User || n.Office != r.Office || n.Carries != r.Carries {
				break
			}
			triggers = append(triggers, "`"+n.Trigger+"`")
		}
		carries := "—"
		if r.User != "" || r.Office != "" {
			carries = strings.Join(r.Carries.Names(), "; ")
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.Record, strings.Join(triggers, " / "), kind(r.User), kind(r.Office), carries)
		i = j
	}
	return b.String()
}

// tell builds the notices of src's record taking trigger, as the matrix
// says: the user notice to the record's owner, in-site and by email; the
// office notice to every address of the admin mailbox, by email. The
// slice has room for spare more notices.
func (s *Service) tell(trigger string, src noticeSource, at time.Time, spare int) []Notice {
	rk, id, owner := src.record()
	r, _ := Notices.Rule(rk, trigger)
	n := 0
	if r.User != "" {
		n += 2
	}
	if r.Office != "" {
		n += len(s.office.AdminEmails)
	}
	if n == 0 {
		if spare == 0 {
			return nil
		}
		return make([]Notice, 0, spare)
	}
	src.office = &s.office
	data := NoticeData{OfficeName: s.office.Name, RecordID: id}
	for _, f := range facts {
		if r.Carries&f.c != 0 {
			f.fill(&data, src)
		}
	}
	out := make([]Notice, 0, n+spare)
	add := func(kind NoticeKind, ch Channel, to Recipient) {
		out = append(out, Notice{
			ID: s.ids.NewID(), OfficeID: s.office.ID, RecordID: id, RecordKind: rk,
			Kind: kind, Channel: ch, To: to, Data: data, CreatedAt: at,
			Status: NoticePending, NextAttemptAt: at,
		})
	}
	if r.User != "" {
		to := Recipient{UserID: owner.ID, Email: owner.Email, Name: owner.Name, Locale: s.locale(owner.Locale)}
		add(r.User, ChannelInSite, to)
		add(r.User, ChannelEmail, to)
	}
	if r.Office != "" {
		for _, addr := range s.office.AdminEmails {
			add(r.Office, ChannelEmail, Recipient{Email: addr, Name: s.office.Name, Locale: s.office.Locale})
		}
	}
	return out
}
