package notary

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// ChannelHost is the outbox channel of host events: what happened, told to
// the host platform that embeds notarykit rather than to a person. A
// service with Config.HostEvents commits one host event with every
// transition, in the same atomic Store.Commit as the record, its audit
// event and its notices, so a transition that did not commit never emits
// one and one that did never loses it. The event's own notice is its
// record, listed in commit order by Service.HostEvents (it is delivered
// nowhere itself); each host endpoint (Config.HostEndpoints) that wants
// it gets a notice of its own, which the notify relay delivers with the
// outbox's claims, leases, retries and dead letters (see
// notify.WithHostHandlers), in order per record.
const ChannelHost Channel = "host"

// HostEventVersion is the version of the host event document, its
// "api_version" member. Members may be added within a version; none is
// removed or changes meaning without a new version.
const HostEventVersion = "1"

// HostEventType names what happened, e.g. "application.completed". It is
// the Kind of the host event's outbox notice.
type HostEventType string

// HostEventTypes says which host event each transition emits: one row per
// record kind and trigger of both lifecycles (a test checks every row of
// the notice matrix has one). Two triggers may share a type when the host
// needs no distinction (the document's "trigger" member still tells).
var HostEventTypes = map[RecordKind]map[string]HostEventType{
	KindFiling: {
		string(FilingSubmit):   "filing.submitted",
		string(FilingResubmit): "filing.resubmitted",
		string(FilingAmend):    "filing.amended",
		string(FilingApprove):  "filing.approved",
		string(FilingReject):   "filing.rejected",
	},
	KindApplication: {
		string(AppApply):                "application.created",
		string(AppApplyByTransfer):      "application.created",
		string(AppPaymentSucceeded):     "application.paid",
		string(AppTransferReceived):     "application.paid",
		string(AppPaymentFailed):        "application.payment_failed",
		string(AppPaymentClosed):        "application.payment_closed",
		string(AppCloseOrder):           "application.payment_order_closed",
		string(AppExpire):               "application.expired",
		string(AppCancel):               "application.cancelled",
		string(AppApprovePreliminary):   "application.preliminary_approved",
		string(AppRejectPreliminary):    "application.preliminary_rejected",
		string(AppSubmitMaterials):      "application.materials_submitted",
		string(AppApproveFinal):         "application.final_approved",
		string(AppRejectFinal):          "application.final_rejected",
		string(AppShip):                 "application.certificate_shipped",
		string(AppConfirmReceipt):       "application.completed",
		string(AppAutoConfirm):          "application.completed",
		string(AppRefund):               "application.refunded",
		string(AppTrackMaterials):       "application.materials_tracking_updated",
		string(AppMaterialsDelivered):   "application.materials_delivered",
		string(AppTrackCertificate):     "application.certificate_tracking_updated",
		string(AppCertificateDelivered): "application.certificate_delivered",
		string(AppRequestInvoice):       "application.invoice_requested",
		string(AppIssueInvoice):         "application.invoice_issued",
		string(AppRejectInvoice):        "application.invoice_rejected",
		string(AppReverseInvoice):       "application.invoice_reversed",
	},
}

// HostEventTypeOf returns the host event type of a record kind's trigger:
// its row of HostEventTypes, or "<kind>.<trigger>" for a trigger without
// one.
func HostEventTypeOf(kind RecordKind, trigger string) HostEventType {
	if t, ok := HostEventTypes[kind][trigger]; ok {
		return t
	}
	return HostEventType(string(kind) + "." + trigger)
}

// HostEvent is one host event as delivered and listed: the envelope's
// facts, decoded for routing, and Body, the JSON document a webhook
// carries verbatim.
//
// The document (api_version "1") is an object:
//
//	{
//	  "id": "<event ID, UUID>",            // the same on every delivery: deduplicate on it
//	  "type": "application.completed",
//	  "api_version": "1",
//	  "office_id": "<UUID>",
//	  "occurred_at": "2026-12-03T10:00:00.123456Z", // when the transition committed, RFC 3339 UTC
//	  "trigger": "confirm_receipt",
//	  "record": {"kind": "application", "id": "<UUID>", "version": 9},
//	  "data": { … the record after the transition … }
//	}
//
// IDs are strings; money is a decimal string with two places and a
// currency code. Application data: id, state, owner_id, filing_id,
// filing_revision, evidence_ids, amount, currency, payment_provider,
// payment_id, payment_method, payment_reference and payment_serial (a bank
// transfer's), certificate_number, materials and certificate (each
// {carrier, tracking_number, status}), reason, refund ({amount, currency,
// reason}), invoice ({state, type, title, taxpayer_id, amount, currency,
// reason, issued and reversal (each {number, issued_on, pdf_ref,
// pdf_sha256})}). Filing data: id, state, owner_id, enterprise_name, revision,
// approved_revision, reason. Empty members are left out.
type HostEvent struct {
	ID         uuid.UUID
	Type       HostEventType
	OfficeID   uuid.UUID
	RecordKind RecordKind
	RecordID   uuid.UUID
	Version    int64 // the record's version after the transition
	OccurredAt time.Time
	Body       json.RawMessage
	// Endpoint is the host endpoint being delivered to (HostEndpoint.Name);
	// "" for the event itself, as listed.
	Endpoint string
}

// HostEventHandler receives host events in process, from the notify
// relay: an error is a failed delivery, retried like a notice's (one
// wrapping ErrPermanent makes the event dead at once).
type HostEventHandler func(ctx context.Context, ev HostEvent) error

// hostDoc is the host event document: its envelope, every member of
// which is a fact of the transition's audit event, and its data. It is
// encoded by its appendJSON method (hostdoc.go), as encoding/json would.
type hostDoc struct {
	hostEnvelope
	Data jsonAppender `json:"data"` // hostApplication or hostFiling
}

// hostEnvelope is the host event document but its data.
type hostEnvelope struct {
	ID         string        `json:"id"`
	Type       HostEventType `json:"type"`
	APIVersion string        `json:"api_version"`
	OfficeID   string        `json:"office_id"`
	OccurredAt time.Time     `json:"occurred_at"`
	Trigger    string        `json:"trigger"`
	Record     hostRecord    `json:"record"`
}

// envelopeOf returns the envelope of the host event of the transition the
// audit event ev recorded. The record's version is ev.Seq: every change
// of a record appends one event and adds one to its version.
func envelopeOf(ev Event) hostEnvelope {
	return hostEnvelope{ID: ev.ID.String(), Type: HostEventTypeOf(ev.RecordKind, ev.Trigger), APIVersion: HostEventVersion,
		OfficeID: ev.OfficeID.String(), OccurredAt: ev.At.UTC(), Trigger: ev.Trigger,
		Record: hostRecord{Kind: ev.RecordKind, ID: ev.RecordID.String(), Version: ev.Seq}}
}

type hostRecord struct {
	Kind    RecordKind `json:"kind"`
	ID      string     `json:"id"`
	Version int64      `json:"version"`
}

type hostShipment struct {
	Carrier        string `json:"carrier,omitempty"`
	TrackingNumber string `json:"tracking_number,omitempty"`
	Status         string `json:"status,omitempty"`
}

type hostMoney struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
	Reason   string `json:"reason,omitempty"`
}

type hostApplication struct {
	ID                string        `json:"id"`
	State             string        `json:"state"`
	OwnerID           string        `json:"owner_id"`
	FilingID          string        `json:"filing_id,omitempty"`
	FilingRevision    int           `json:"filing_revision,omitempty"`
	EvidenceIDs       []string      `json:"evidence_ids"`
	Amount            string        `json:"amount,omitempty"`
	Currency          string        `json:"currency,omitempty"`
	PaymentProvider   string        `json:"payment_provider,omitempty"`
	PaymentID         string        `json:"payment_id,omitempty"`
	PaymentMethod     string        `json:"payment_method,omitempty"` // "bank_transfer"; left out for a wallet
	PaymentReference  string        `json:"payment_reference,omitempty"`
	PaymentSerial     string        `json:"payment_serial,omitempty"` // the bank serial of the transfer that paid
	CertificateNumber string        `json:"certificate_number,omitempty"`
	Materials         *hostShipment `json:"materials,omitempty"`
	Certificate       *hostShipment `json:"certificate,omitempty"`
	Reason            string        `json:"reason,omitempty"`
	Refund            *hostMoney    `json:"refund,omitempty"`
	Invoice           *hostInvoice  `json:"invoice,omitempty"`
}

type hostInvoice struct {
	State      string             `json:"state"`
	Type       string             `json:"type"`
	Title      string             `json:"title"`
	TaxpayerID string             `json:"taxpayer_id"`
	Amount     string             `json:"amount"`
	Currency   string             `json:"currency"`
	Reason     string             `json:"reason,omitempty"`
	Issued     *hostIssuedInvoice `json:"issued,omitempty"`
	Reversal   *hostIssuedInvoice `json:"reversal,omitempty"`
}

type hostIssuedInvoice struct {
	Number    string `json:"number"`
	IssuedOn  string `json:"issued_on"`
	PDFRef    string `json:"pdf_ref"`
	PDFSHA256 string `json:"pdf_sha256"`
}

func hostIssued(i *IssuedInvoice) *hostIssuedInvoice {
	if i == nil {
		return nil
	}
	return &hostIssuedInvoice{Number: i.Number, IssuedOn: i.IssuedOn.Format(time.DateOnly), PDFRef: i.PDFRef, PDFSHA256: i.PDFSHA256}
}

type hostFiling struct {
	ID               string `json:"id"`
	State            string `json:"state"`
	OwnerID          string `json:"owner_id"`
	EnterpriseName   string `json:"enterprise_name,omitempty"`
	Revision         int    `json:"revision"`
	ApprovedRevision int    `json:"approved_revision,omitempty"`
	Reason           string `json:"reason,omitempty"`
}

func hostShip(s *Shipment) *hostShipment {
	if s == nil {
		return nil
	}
	h := &hostShipment{Carrier: s.Carrier, TrackingNumber: s.TrackingNumber}
	if s.Tracking != nil {
		h.Status = string(s.Tracking.State)
	}
	return h
}

// hostData is the "data" member of a host event of src's record.
func hostData(src noticeSource) jsonAppender {
	if f := src.filing; f != nil {
		return hostFiling{ID: f.ID.String(), State: string(f.State), OwnerID: f.Owner.ID,
			EnterpriseName: f.Content.EnterpriseName, Revision: f.Revision, ApprovedRevision: f.ApprovedRevision, Reason: f.Reason}
	}
	a := src.app
	d := hostApplication{ID: a.ID.String(), State: string(a.State), OwnerID: a.Owner.ID,
		FilingRevision: a.FilingRevision, EvidenceIDs: a.EvidenceIDs(),
		PaymentProvider: a.Payment.Provider, PaymentID: a.Payment.ID, PaymentMethod: string(a.Payment.Method),
		PaymentSerial: a.Payment.Serial, CertificateNumber: a.CertificateNumber,
		Materials: hostShip(a.Materials), Certificate: hostShip(a.Certificate), Reason: a.Reason}
	if a.FilingID != uuid.Nil {
		d.FilingID = a.FilingID.String()
	}
	if a.Quote.Currency != "" {
		d.Amount, d.Currency = a.Quote.Amount.StringFixed(2), a.Quote.Currency
	}
	if t := a.Payment.Transfer; t != nil {
		d.PaymentReference = t.Reference
	}
	if r := a.Refund; r != nil {
		d.Refund = &hostMoney{Amount: r.Amount.StringFixed(2), Currency: r.Currency, Reason: r.Reason}
	}
	if i := a.Invoice; i != nil {
		d.Invoice = &hostInvoice{State: string(i.State), Type: string(i.Request.Type), Title: i.Request.Title,
			TaxpayerID: i.Request.TaxpayerID, Amount: i.Amount.StringFixed(2), Currency: i.Currency, Reason: i.Reason,
			Issued: hostIssued(i.Issued), Reversal: hostIssued(i.Reversal)}
	}
	return d
}

// HostEventDocument returns the document of the host event of the
// transition that the audit event ev recorded, with data as its "data"
// member. Every other member is a fact of ev (ID, office, time, trigger,
// record and version: ev.Seq) or of this package (the type, by
// HostEventTypes, and api_version), and the service writes every host
// event's document this way, so a store may keep only the data beside the
// event and rebuild the rest (HostEventData). A type, once given to a
// trigger, is not changed within an api_version.
//
// The error is for an ev.At whose year is outside 0 to 9999.
func HostEventDocument(ev Event, data json.RawMessage) (json.RawMessage, error) {
	b, err := envelopeOf(ev).appendJSON(make([]byte, 0, 400+len(data)))
	if err != nil {
		return nil, fmt.Errorf("notary: host event %s: %w", ev.ID, err)
	}
	return append(append(b, data...), '}'), nil
}

// HostEventData returns the "data" member of doc, the document of the
// host event of the transition that the audit event ev recorded, when
// HostEventDocument(ev, data) is doc byte for byte. ok is false for any
// other document (one written otherwise, or with a time ev does not have,
// such as one more precise than a store keeps); a store keeps such a
// document whole.
func HostEventData(ev Event, doc json.RawMessage) (data json.RawMessage, ok bool) {
	env, err := envelopeOf(ev).appendJSON(make([]byte, 0, 400))
	if err != nil || len(doc) <= len(env) || !bytes.HasPrefix(doc, env) || doc[len(doc)-1] != '}' {
		return nil, false
	}
	data = doc[len(env) : len(doc)-1]
	if !json.Valid(data) {
		return nil, false // the rest of an object, not one value
	}
	return data, true
}

// HostEndpoint is one receiver of the host's events: a webhook endpoint
// (adapters/webhook) or a handler in the host's process. The service
// commits, with each host event of a type the endpoint wants, an outbox
// notice of its own for it (Recipient.Endpoint is its Name), so every
// endpoint has its own delivery state: it gets each event at least once
// and in order per record, retried, dead-lettered and retried again by an
// operator on its own — one endpoint that is down neither holds back nor
// repeats the deliveries to the others. The relay hands an endpoint's
// notices to the handler registered under its Name
// (notify.WithHostHandlers).
//
// An endpoint receives the events committed while it is configured; a
// new one catches up on older events with Service.HostEvents.
type HostEndpoint struct {
	// Name identifies the endpoint, for the relay's handlers and in dead
	// letters: 1 to 64 letters, digits, '.', '_' or '-', unique.
	Name string
	// Types subscribes the endpoint to these event types (values of
	// HostEventTypes); empty means every type.
	Types []HostEventType
}

// Wants reports whether the endpoint receives events of type t.
func (e HostEndpoint) Wants(t HostEventType) bool {
	return len(e.Types) == 0 || slices.Contains(e.Types, t)
}

// HostDeliveryID returns the ID of the outbox notice that delivers the
// host event eventID to the endpoint named endpoint: derived from both, so
// the same on every read.
func HostDeliveryID(eventID uuid.UUID, endpoint string) uuid.UUID {
	return uuid.NewSHA1(eventID, []byte(endpoint))
}

// checkHostEndpoints validates Config.HostEndpoints and returns a copy.
// Errors wrap ErrInvalidInput naming the field, e.g.
// "host_endpoints[1].types[0]".
func checkHostEndpoints(eps []HostEndpoint) ([]HostEndpoint, error) {
	known := map[HostEventType]bool{}
	for _, row := range HostEventTypes {
		for _, t := range row {
			known[t] = true
		}
	}
	seen := map[string]bool{}
	out := make([]HostEndpoint, 0, len(eps))
	for i, e := range eps {
		field := fmt.Sprintf("host_endpoints[%d]", i)
		if !validEndpointName(e.Name) {
			return nil, invalid(field+".name", "%q is not 1 to 64 letters, digits, '.', '_' or '-'", e.Name)
		}
		if seen[e.Name] {
			return nil, invalid(field+".name", "%q names an earlier endpoint too", e.Name)
		}
		seen[e.Name] = true
		for j, t := range e.Types {
			if !known[t] {
				return nil, invalid(fmt.Sprintf("%s.types[%d]", field, j), "%q is not a host event type (see HostEventTypes)", t)
			}
		}
		out = append(out, HostEndpoint{Name: e.Name, Types: slices.Clone(e.Types)})
	}
	return out, nil
}

func validEndpointName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// notices returns the notices of the transition recorded by ev, of
// src's record: those the matrix says (tell) and, when the service emits
// host events, the host event's record and its deliveries (hostEvent).
func (s *Service) notices(ev Event, src noticeSource) ([]Notice, error) {
	if !s.hostEvents {
		return s.tell(ev.Trigger, src, ev.At, 0), nil
	}
	notices := s.tell(ev.Trigger, src, ev.At, 1+len(s.hostEndpoints))
	return s.hostEvent(notices, ev, src)
}

// hostEvent appends to notices the host event of the transition recorded
// by the audit event ev, of src's record: the event's own record and one
// pending delivery per host endpoint that wants its type, all carrying the
// same document.
//
// The record is the event as listed (Service.HostEvents); it has the ID
// and time of ev, and is committed delivered: it is not sent anywhere
// itself, so a store may keep it with the audit event (see Change).
func (s *Service) hostEvent(notices []Notice, ev Event, src noticeSource) ([]Notice, error) {
	kind, id, _ := src.record()
	env := envelopeOf(ev)
	body, err := hostDoc{hostEnvelope: env, Data: hostData(src)}.appendJSON(make([]byte, 0, 1024))
	if err != nil {
		return nil, fmt.Errorf("notary: host event: %w", err)
	}
	typ := env.Type
	n := Notice{ID: ev.ID, OfficeID: s.office.ID, RecordID: id, RecordKind: kind,
		Kind: NoticeKind(typ), Channel: ChannelHost, Data: NoticeData{RecordID: id},
		Event: body, CreatedAt: ev.At, Status: NoticeDelivered, NextAttemptAt: ev.At, DeliveredAt: ev.At}
	notices = append(notices, n)
	for _, e := range s.hostEndpoints {
		if !e.Wants(typ) {
			continue
		}
		d := n
		d.ID, d.To = HostDeliveryID(n.ID, e.Name), Recipient{Endpoint: e.Name}
		d.Status, d.DeliveredAt = NoticePending, time.Time{}
		notices = append(notices, d)
	}
	return notices, nil
}

// HostEndpoints returns the service's host endpoints (Config.HostEndpoints).
func (s *Service) HostEndpoints() []HostEndpoint {
	out := make([]HostEndpoint, len(s.hostEndpoints))
	for i, e := range s.hostEndpoints {
		out[i] = HostEndpoint{Name: e.Name, Types: slices.Clone(e.Types)}
	}
	return out
}

// HostEventOf decodes the host event of an outbox notice on ChannelHost:
// the event's own notice or an endpoint's (its ID is then the document's,
// not the notice's). The error wraps ErrInvalidInput when n is not one.
func HostEventOf(n Notice) (HostEvent, error) {
	if n.Channel != ChannelHost {
		return HostEvent{}, invalid("channel", "is %q, not %q", n.Channel, ChannelHost)
	}
	var d hostEnvelope // the data is the host's to read, in Body
	if err := json.Unmarshal(n.Event, &d); err != nil {
		return HostEvent{}, invalid("event", "not a host event document: %v", err)
	}
	id, err := uuid.Parse(d.ID)
	if err != nil {
		return HostEvent{}, invalid("event.id", "not a UUID: %q", d.ID)
	}
	return HostEvent{ID: id, Endpoint: n.To.Endpoint, Type: d.Type, OfficeID: n.OfficeID, RecordKind: d.Record.Kind, RecordID: n.RecordID,
		Version: d.Record.Version, OccurredAt: d.OccurredAt, Body: n.Event}, nil
}

// HostEventQuery selects host events for Outbox.ListHostEvents: the
// office's, committed after the event After (from the first when
// uuid.Nil), of the record RecordID only when it is set, at most Limit
// (DefaultLimit when not positive), in commit order.
type HostEventQuery struct {
	OfficeID uuid.UUID
	After    uuid.UUID
	RecordID uuid.UUID
	Limit    int
}

// Validate checks a host event query: the office is required. The error
// wraps ErrInvalidInput as a *FieldError naming "office_id".
func (q HostEventQuery) Validate() error {
	if q.OfficeID == uuid.Nil {
		return invalid("office_id", "a listing is of one office; none given")
	}
	return nil
}

// PageSize returns q.Limit, or DefaultLimit when it is not positive.
func (q HostEventQuery) PageSize() int {
	if q.Limit <= 0 {
		return DefaultLimit
	}
	return q.Limit
}

// HostEvents lists the office's host events committed after the event
// after (uuid.Nil: from the first), oldest first, at most limit
// (DefaultLimit when not positive), as Stripe's events API does: a host
// rebuilding its state after an outage pages through them, passing the
// last event's ID as after. Each event is listed once, whatever its
// endpoints (their delivery notices are not listed), and stays listable
// after its delivery. An unknown after is ErrNotFound. It is a call of the
// host platform itself, not of a user or an admin.
func (s *Service) HostEvents(ctx context.Context, after uuid.UUID, limit int) ([]HostEvent, error) {
	q := HostEventQuery{OfficeID: s.office.ID, After: after, Limit: limit}
	want := q.PageSize()
	out := make([]HostEvent, 0, min(want, DefaultLimit))
	for {
		// With endpoints, a page holds their delivery notices too: read on
		// until the events fill the page or the listing ends.
		q.Limit = want - len(out)
		if len(s.hostEndpoints) > 0 {
			q.Limit *= 1 + len(s.hostEndpoints)
		}
		ns, err := s.store.ListHostEvents(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, n := range ns {
			if n.To.Endpoint != "" {
				continue
			}
			ev, err := HostEventOf(n)
			if err != nil {
				return nil, fmt.Errorf("notary: host event %s: %w", n.ID, err)
			}
			out = append(out, ev)
			if len(out) == want {
				return out, nil
			}
		}
		if len(ns) < q.Limit {
			return out, nil
		}
		q.After = ns[len(ns)-1].ID
	}
}
