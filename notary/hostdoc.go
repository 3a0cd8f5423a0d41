package notary

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The host event document is written by hand, member by member, in the
// order and with the omissions of its types' json tags (hostevents.go): a
// property test holds every append method to what encoding/json makes of
// the same value. In the bench's profile, encoding/json's reflection was
// 15 of the 21 µs that building a host event's document added to a
// transition's Go CPU time.

// jsonAppender is a value of the host event document that appends itself
// as encoding/json would encode it.
type jsonAppender interface{ appendJSON(b []byte) []byte }

// jsonObject appends the members of one JSON object.
type jsonObject struct {
	b    []byte
	more bool // a member was appended
}

func openObject(b []byte) jsonObject { return jsonObject{b: append(b, '{')} }

// close ends the object and returns the bytes.
func (o jsonObject) close() []byte { return append(o.b, '}') }

// key appends the next member's name, a constant that needs no escape,
// and colon.
func (o *jsonObject) key(name string) {
	if o.more {
		o.b = append(o.b, ',')
	}
	o.more = true
	o.b = append(o.b, '"')
	o.b = append(o.b, name...)
	o.b = append(o.b, '"', ':')
}

func (o *jsonObject) str(name, v string) {
	o.key(name)
	o.b = appendJSONString(o.b, v)
}

// strOmit is str for a member tagged omitempty.
func (o *jsonObject) strOmit(name, v string) {
	if v != "" {
		o.str(name, v)
	}
}

func (o *jsonObject) int(name string, v int64) {
	o.key(name)
	o.b = strconv.AppendInt(o.b, v, 10)
}

// intOmit is int for a member tagged omitempty.
func (o *jsonObject) intOmit(name string, v int64) {
	if v != 0 {
		o.int(name, v)
	}
}

// objectOmit appends a member that is an object behind a pointer, tagged
// omitempty: left out when v is nil.
func objectOmit[T jsonAppender](o *jsonObject, name string, v *T) {
	if v != nil {
		o.key(name)
		o.b = (*v).appendJSON(o.b)
	}
}

// strings appends a []string member, null when nil, as encoding/json does.
func (o *jsonObject) strings(name string, vs []string) {
	o.key(name)
	if vs == nil {
		o.b = append(o.b, "null"...)
		return
	}
	o.b = append(o.b, '[')
	for i, v := range vs {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendJSONString(o.b, v)
	}
	o.b = append(o.b, ']')
}

// time appends t as encoding/json does (time.Time.MarshalJSON): RFC 3339
// with the sub-second digits it has, or an error for a year out of range.
func (o *jsonObject) time(name string, t time.Time) error {
	o.key(name)
	o.b = append(o.b, '"')
	b, err := t.AppendText(o.b)
	if err != nil {
		return err
	}
	o.b = append(b, '"')
	return nil
}

// appendJSONString appends s as encoding/json encodes a string. A string
// of printable ASCII that needs no escape (the IDs, states and codes that
// make up most of a document) is copied as it is; any other goes through
// encoding/json, so escapes, HTML-safe characters and invalid UTF-8 are
// exactly its.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !plainJSON[s[i]] {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plainJSON marks the bytes encoding/json copies into a string as they
// are: printable ASCII but for the quote, backslash and HTML's <, > and &.
var plainJSON = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = !strings.ContainsRune(`"\<>&`, rune(c))
	}
	return t
}()

// appendJSON appends d as encoding/json does.
func (d hostDoc) appendJSON(b []byte) ([]byte, error) {
	b, err := d.hostEnvelope.appendJSON(b)
	if err != nil {
		return nil, err
	}
	return append(d.Data.appendJSON(b), '}'), nil
}

// appendJSON appends the document up to its data member's value: the
// envelope's members and `,"data":`.
func (e hostEnvelope) appendJSON(b []byte) ([]byte, error) {
	o := openObject(b)
	o.str("id", e.ID)
	o.str("type", string(e.Type))
	o.str("api_version", e.APIVersion)
	o.str("office_id", e.OfficeID)
	if err := o.time("occurred_at", e.OccurredAt); err != nil {
		return nil, err
	}
	o.str("trigger", e.Trigger)
	o.key("record")
	r := openObject(o.b)
	r.str("kind", string(e.Record.Kind))
	r.str("id", e.Record.ID)
	r.int("version", e.Record.Version)
	o.b = r.close()
	o.key("data")
	return o.b, nil
}

func (a hostApplication) appendJSON(b []byte) []byte {
	o := openObject(b)
	o.str("id", a.ID)
	o.str("state", a.State)
	o.str("owner_id", a.OwnerID)
	o.strOmit("filing_id", a.FilingID)
	o.intOmit("filing_revision", int64(a.FilingRevision))
	o.strings("evidence_ids", a.EvidenceIDs)
	o.strOmit("amount", a.Amount)
	o.strOmit("currency", a.Currency)
	o.strOmit("payment_provider", a.PaymentProvider)
	o.strOmit("payment_id", a.PaymentID)
	o.strOmit("payment_method", a.PaymentMethod)
	o.strOmit("payment_reference", a.PaymentReference)
	o.strOmit("payment_serial", a.PaymentSerial)
	o.strOmit("certificate_number", a.CertificateNumber)
	objectOmit(&o, "materials", a.Materials)
	objectOmit(&o, "certificate", a.Certificate)
	o.strOmit("reason", a.Reason)
	objectOmit(&o, "refund", a.Refund)
	objectOmit(&o, "invoice", a.Invoice)
	return o.close()
}

func (s hostShipment) appendJSON(b []byte) []byte {
	o := openObject(b)
	o.strOmit("carrier", s.Carrier)
	o.strOmit("tracking_number", s.TrackingNumber)
	o.strOmit("status", s.Status)
	return o.close()
}

func (m hostMoney) appendJSON(b []byte) []byte {
	o := openObject(b)
	o.str("amount", m.Amount)
	o.str("currency", m.Currency)
	o.strOmit("reason", m.Reason)
	return o.close()
}

func (i hostInvoice) appendJSON(b []byte) []byte {
	o := openObject(b)
	o.str("state", i.State)
	o.str("type", i.Type)
	o.str("title", i.Title)
	o.str("taxpayer_id", i.TaxpayerID)
	o.str("amount", i.Amount)
	o.str("currency", i.Currency)
	o.strOmit("reason", i.Reason)
	objectOmit(&o, "issued", i.Issued)
	objectOmit(&o, "reversal", i.Reversal)
	return o.close()
}

func (i hostIssuedInvoice) appendJSON(b []byte) []byte {
	o := openObject(b)
	o.str("number", i.Number)
	o.str("issued_on", i.IssuedOn)
	o.str("pdf_ref", i.PDFRef)
	o.str("pdf_sha256", i.PDFSHA256)
	return o.close()
}

func (f hostFiling) appendJSON(b []byte) []byte {
	o := openObject(b)
	o.str("id", f.ID)
	o.str("state", f.State)
	o.str("owner_id", f.OwnerID)
	o.strOmit("enterprise_name", f.EnterpriseName)
	o.int("revision", int64(f.Revision))
	o.intOmit("approved_revision", int64(f.ApprovedRevision))
	o.strOmit("reason", f.Reason)
	return o.close()
}
