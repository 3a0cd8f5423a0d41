package recorddoc

import (
	"bytes"
	"fmt"

	"github.com/notarykit/notarykit/notary"
)

// EncodeNotice returns the stored document of the parts of a notice that
// are not columns of their own: {"record_kind", "to": {user_id, email,
// name, locale, endpoint}, "data": {office_name, record_id, enterprise_name,
// revision, reason, evidence, amount, currency, materials,
// mailing_address, carrier, tracking_number, certificate_number,
// automatic, delivered_at, confirm_by, invoice_type, invoice_title,
// taxpayer_id, invoice_number, invoice_date, reversal_number,
// reversal_date, payee_name, payee_bank, payee_account,
// transfer_reference, pay_by}, "event": the host event document,
// verbatim, only when the notice has one}; times in UTC. Every member of "to" and "data" but record_id is left out
// when empty, as their json tags say.
func EncodeNotice(n notary.Notice) []byte {
	w := writer{b: make([]byte, 0, 384+128*len(n.Data.Evidence))}
	w.b = append(w.b, `{"record_kind":`...)
	w.str(string(n.RecordKind))
	w.b = append(w.b, `,"to":{`...)
	m := members{w: &w}
	m.str("user_id", n.To.UserID)
	m.str("email", n.To.Email)
	m.str("name", n.To.Name)
	m.str("locale", n.To.Locale)
	m.str("endpoint", n.To.Endpoint)
	w.b = append(w.b, `},"data":{`...)
	d := n.Data
	m = members{w: &w}
	m.str("office_name", d.OfficeName)
	m.name("record_id")
	w.uuid(d.RecordID)
	m.str("enterprise_name", d.EnterpriseName)
	if d.Revision != 0 {
		m.name("revision")
		w.int(int64(d.Revision))
	}
	m.str("reason", d.Reason)
	if len(d.Evidence) > 0 {
		m.name("evidence")
		w.evidence(d.Evidence)
	}
	m.str("amount", d.Amount)
	m.str("currency", d.Currency)
	if len(d.Materials) > 0 {
		m.name("materials")
		w.b = append(w.b, '[')
		for i, s := range d.Materials {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.str(s)
		}
		w.b = append(w.b, ']')
	}
	m.str("mailing_address", d.MailingAddress)
	m.str("carrier", d.Carrier)
	m.str("tracking_number", d.TrackingNumber)
	m.str("certificate_number", d.CertificateNumber)
	if d.Automatic {
		m.name("automatic")
		w.b = append(w.b, "true"...)
	}
	if !d.DeliveredAt.IsZero() {
		m.name("delivered_at")
		w.time(d.DeliveredAt.UTC())
	}
	if !d.ConfirmBy.IsZero() {
		m.name("confirm_by")
		w.time(d.ConfirmBy.UTC())
	}
	m.str("invoice_type", string(d.InvoiceType))
	m.str("invoice_title", d.InvoiceTitle)
	m.str("taxpayer_id", d.TaxpayerID)
	m.str("invoice_number", d.InvoiceNumber)
	m.str("invoice_date", d.InvoiceDate)
	m.str("reversal_number", d.ReversalNumber)
	m.str("reversal_date", d.ReversalDate)
	m.str("payee_name", d.PayeeName)
	m.str("payee_bank", d.PayeeBank)
	m.str("payee_account", d.PayeeAccount)
	m.str("transfer_reference", d.TransferReference)
	if !d.PayBy.IsZero() {
		m.name("pay_by")
		w.time(d.PayBy.UTC())
	}
	w.b = append(w.b, '}')
	if len(n.Event) > 0 {
		// The host event document, verbatim: notary wrote it as JSON, and
		// a receiver verifies its signature over these very bytes.
		w.b = append(w.b, `,"event":`...)
		w.b = append(w.b, n.Event...)
	}
	w.b = append(w.b, '}')
	return w.b
}

// members writes the members of an object whose first member may be left
// out, so that each knows whether a comma goes before it.
type members struct {
	w    *writer
	some bool
}

func (m *members) name(n string) {
	if m.some {
		m.w.b = append(m.w.b, ',')
	}
	m.some = true
	m.w.b = append(m.w.b, '"')
	m.w.b = append(m.w.b, n...) // names are plain ASCII
	m.w.b = append(m.w.b, `":`...)
}

// str writes a string member unless it is empty.
func (m *members) str(name, s string) {
	if s != "" {
		m.name(name)
		m.w.str(s)
	}
}

// DecodeNotice decodes a document written by EncodeNotice into the
// notice's RecordKind, To and Data, leaving its other fields alone.
func DecodeNotice(b []byte, n *notary.Notice) error {
	r := newReader(b)
	defer r.release()
	var (
		kind notary.RecordKind
		to   notary.Recipient
		d    notary.NoticeData
		ev   []byte
	)
	r.object()
	for r.more() {
		switch string(r.name()) {
		case "record_kind":
			kind = notary.RecordKind(r.str())
		case "to":
			to = r.recipient()
		case "data":
			d = r.noticeData()
		case "event":
			ev = bytes.Clone(r.value())
		default:
			r.skip()
		}
	}
	r.end()
	if r.err != nil {
		return fmt.Errorf("recorddoc: decode notice: %w", r.err)
	}
	n.RecordKind, n.To, n.Data, n.Event = kind, to, d, ev
	return nil
}

func (r *reader) recipient() notary.Recipient {
	var to notary.Recipient
	r.object()
	for r.more() {
		switch string(r.name()) {
		case "user_id":
			to.UserID = r.str()
		case "email":
			to.Email = r.str()
		case "name":
			to.Name = r.str()
		case "locale":
			to.Locale = r.str()
		case "endpoint":
			to.Endpoint = r.str()
		default:
			r.skip()
		}
	}
	return to
}

func (r *reader) noticeData() notary.NoticeData {
	var d notary.NoticeData
	r.object()
	for r.more() {
		switch string(r.name()) {
		case "office_name":
			d.OfficeName = r.str()
		case "record_id":
			d.RecordID = r.uuid()
		case "enterprise_name":
			d.EnterpriseName = r.str()
		case "revision":
			d.Revision = r.int()
		case "reason":
			d.Reason = r.str()
		case "evidence":
			d.Evidence = list(r, (*reader).evidence)
		case "amount":
			d.Amount = r.str()
		case "currency":
			d.Currency = r.str()
		case "materials":
			d.Materials = list(r, (*reader).str)
		case "mailing_address":
			d.MailingAddress = r.str()
		case "carrier":
			d.Carrier = r.str()
		case "tracking_number":
			d.TrackingNumber = r.str()
		case "certificate_number":
			d.CertificateNumber = r.str()
		case "automatic":
			d.Automatic = r.bool()
		case "delivered_at":
			d.DeliveredAt = r.time()
		case "confirm_by":
			d.ConfirmBy = r.time()
		case "invoice_type":
			d.InvoiceType = notary.InvoiceType(r.str())
		case "invoice_title":
			d.InvoiceTitle = r.str()
		case "taxpayer_id":
			d.TaxpayerID = r.str()
		case "invoice_number":
			d.InvoiceNumber = r.str()
		case "invoice_date":
			d.InvoiceDate = r.str()
		case "reversal_number":
			d.ReversalNumber = r.str()
		case "reversal_date":
			d.ReversalDate = r.str()
		case "payee_name":
			d.PayeeName = r.str()
		case "payee_bank":
			d.PayeeBank = r.str()
		case "payee_account":
			d.PayeeAccount = r.str()
		case "transfer_reference":
			d.TransferReference = r.str()
		case "pay_by":
			d.PayBy = r.time()
		default:
			r.skip()
		}
	}
	return d
}
