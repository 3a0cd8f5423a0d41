package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/adapters/courier"
	"github.com/notarykit/notarykit/notary"
)

// HeaderIdempotencyKey carries the client's idempotency key of an apply
// request: a retried request with the same key returns the same
// application and payment.
const HeaderIdempotencyKey = "Idempotency-Key"

// userRoutes mounts the user side of the JSON API. Every route runs behind
// the host's (here simulated) authentication, and every SDK call gets the
// authenticated notary.User: the SDK checks ownership itself.
func (a *App) userRoutes(mux *http.ServeMux) {
	handle := func(pattern string, h handlerFunc) { mux.Handle(pattern, a.demoUser(a.api(h))) }

	handle("GET /api/me/filing", a.myFiling)
	handle("POST /api/filings", a.submitFiling)
	handle("GET /api/filings/{id}", a.getFiling)
	handle("POST /api/filings/{id}/resubmit", a.editFiling((*notary.Filings).Resubmit))
	handle("POST /api/filings/{id}/amend", a.editFiling((*notary.Filings).Amend))
	handle("POST /api/filings/{id}/reveal", a.revealFiling)
	handle("GET /api/filings/{id}/revisions", a.filingRevisions)
	handle("GET /api/filings/{id}/revisions/{n}", a.filingRevision)
	handle("GET /api/me/export", a.exportMine)

	handle("GET /api/evidence", a.listEvidence)

	handle("POST /api/applications", a.apply)
	handle("GET /api/applications", a.listApplications)
	handle("GET /api/applications/{id}", a.getApplication)
	handle("POST /api/applications/{id}/cancel", a.cancelApplication)
	handle("POST /api/applications/{id}/materials", a.submitMaterials)
	handle("POST /api/applications/{id}/confirm-receipt", a.confirmReceipt)
	handle("POST /api/applications/{id}/invoice", a.requestInvoice)
	handle("GET /api/applications/{id}/invoice", a.getInvoice)

	handle("GET /api/inbox", a.listInbox)
	handle("GET /api/inbox/unread-count", a.unreadCount)
	handle("POST /api/inbox/read", a.markRead)
}

// pathID parses the {id} path segment.
func pathID(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return uuid.Nil, &notary.FieldError{Field: "id", Reason: "not a UUID"}
	}
	return id, nil
}

// --- Filings (备案) ---

func (a *App) myFiling(w http.ResponseWriter, r *http.Request) error {
	f, err := a.svc.Filings.Mine(r.Context(), userFrom(r))
	if err != nil {
		return err
	}
	return a.writeFiling(w, r, userFrom(r), f, http.StatusOK)
}

func (a *App) submitFiling(w http.ResponseWriter, r *http.Request) error {
	var content notary.FilingContent
	if err := decodeJSON(w, r, &content); err != nil {
		return err
	}
	f, err := a.svc.Filings.Submit(r.Context(), userFrom(r), content)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/filings/"+f.ID.String())
	return a.writeFiling(w, r, userFrom(r), f, http.StatusCreated)
}

func (a *App) getFiling(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return a.inspectFiling(w, r, userFrom(r), id)
}

// revealFiling answers the owner's filing with its personal fields in
// full (all, or those named by repeated ?field=), e.g. to prefill an edit
// form; the SDK audits the reveal. A POST: it changes the record's trail.
func (a *App) revealFiling(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var fields []notary.PersonalField
	for _, f := range r.URL.Query()["field"] {
		fields = append(fields, notary.PersonalField(f))
	}
	f, err := a.svc.Filings.Reveal(r.Context(), userFrom(r), id, fields...)
	if err != nil {
		return err
	}
	return a.writeFiling(w, r, userFrom(r), f, http.StatusOK)
}

// filingRevisions answers every revision of the user's filing, oldest
// first, masked like the filing.
func (a *App) filingRevisions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	revs, err := a.svc.Filings.Revisions(r.Context(), userFrom(r), id)
	if err != nil {
		return err
	}
	out := make([]revisionView, len(revs))
	for i, rev := range revs {
		out[i] = newRevisionView(rev)
	}
	writeJSON(w, http.StatusOK, page[revisionView]{Items: out})
	return nil
}

// filingRevision answers revision {n} of the user's filing, e.g. the one
// an application was made under (its filing_revision).
func (a *App) filingRevision(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		return &notary.FieldError{Field: "revision", Reason: "not a number"}
	}
	rev, err := a.svc.Filings.Revision(r.Context(), userFrom(r), id, n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newRevisionView(rev))
	return nil
}

// exportMine answers a copy of what the office holds about the user.
func (a *App) exportMine(w http.ResponseWriter, r *http.Request) error {
	x, err := a.svc.Filings.Export(r.Context(), userFrom(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, x)
	return nil
}

// inspectFiling answers the filing with the actions actor may take on it,
// read together.
func (a *App) inspectFiling(w http.ResponseWriter, r *http.Request, actor notary.Principal, id uuid.UUID) error {
	f, actions, err := a.svc.Filings.Inspect(r.Context(), actor, id)
	if err != nil {
		return err
	}
	respondFiling(w, http.StatusOK, f, actions)
	return nil
}

// editFiling serves resubmit (after a rejection) and amend (of an approved
// filing): both take the full edited content.
func (a *App) editFiling(edit func(*notary.Filings, context.Context, notary.User, uuid.UUID, notary.FilingContent) (notary.Filing, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		var content notary.FilingContent
		if err := decodeJSON(w, r, &content); err != nil {
			return err
		}
		f, err := edit(a.svc.Filings, r.Context(), userFrom(r), id, content)
		if err != nil {
			return err
		}
		return a.writeFiling(w, r, userFrom(r), f, http.StatusOK)
	}
}

// writeFiling answers a filing, as a transition by actor returned it,
// with the actions actor may take on it now. Nothing is read: a committed
// change is never answered with an error.
func (a *App) writeFiling(w http.ResponseWriter, _ *http.Request, actor notary.Principal, f notary.Filing, status int) error {
	respondFiling(w, status, f, a.svc.Filings.ActionsAfter(f, actor))
	return nil
}

func respondFiling(w http.ResponseWriter, status int, f notary.Filing, actions []notary.FilingTrigger) {
	v := newFilingView(f)
	v.Actions = actions
	writeJSON(w, status, v)
}

// --- Evidence (the host's own records) ---

func (a *App) listEvidence(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	list, err := a.evidence.List(r.Context(), u.ID)
	if err != nil {
		return err
	}
	ids := make([]string, len(list))
	for i, e := range list {
		ids[i] = e.ID
	}
	held, err := a.store.Reservations(r.Context(), ids)
	if err != nil {
		return err
	}
	out := make([]evidenceView, len(list))
	for i, e := range list {
		out[i] = evidenceView{Evidence: e}
		if app, ok := held[e.ID]; ok {
			out[i].ReservedBy = &app
		}
	}
	writeJSON(w, http.StatusOK, page[evidenceView]{Items: out})
	return nil
}

// --- Applications (公证书申请) ---

// applyRequest is the body of POST /api/applications: the IDs of the
// user's evidence records to notarize. The host resolves them in its own
// evidence store; the SDK gets the records (ID, title, digest).
type applyRequest struct {
	EvidenceIDs []string `json:"evidence_ids"`
	// PaymentMethod is "bank_transfer" to pay by corporate bank transfer:
	// the answer's payment.transfer then shows the office's account and
	// the reference for the transfer's note. Empty pays by wallet.
	PaymentMethod notary.PaymentMethod `json:"payment_method,omitempty"`
}

func (a *App) apply(w http.ResponseWriter, r *http.Request) error {
	var req applyRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	u := userFrom(r)
	evidence, err := a.evidence.Lookup(r.Context(), u.ID, req.EvidenceIDs)
	if err != nil {
		return err
	}
	res, err := a.svc.Applications.Submit(r.Context(), u, notary.ApplyRequest{
		Evidence:       evidence,
		IdempotencyKey: strings.TrimSpace(r.Header.Get(HeaderIdempotencyKey)),
		Method:         req.PaymentMethod,
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/applications/"+res.ID.String())
	status := http.StatusCreated
	if res.Replayed { // the same idempotency key again: the first answer, not a new application
		w.Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	return a.writeApplication(w, r, u, res.Application, status)
}

func (a *App) listApplications(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	list, err := a.svc.Applications.Mine(r.Context(), userFrom(r), after, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, applicationPage(list, limit))
	return nil
}

func applicationPage(list []notary.Application, limit int) page[applicationView] {
	return newPage(list, limit, newApplicationView, func(a notary.Application) (time.Time, uuid.UUID) { return a.CreatedAt, a.ID })
}

func (a *App) getApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return a.inspectApplication(w, r, userFrom(r), id)
}

// inspectApplication answers the application with the actions actor may
// take on it, read together.
func (a *App) inspectApplication(w http.ResponseWriter, r *http.Request, actor notary.Principal, id uuid.UUID) error {
	app, actions, err := a.svc.Applications.Inspect(r.Context(), actor, id)
	if err != nil {
		return err
	}
	respondApplication(w, http.StatusOK, app, actions)
	return nil
}

func (a *App) cancelApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	app, err := a.svc.Applications.Cancel(r.Context(), userFrom(r), id)
	if err != nil {
		return err
	}
	return a.writeApplication(w, r, userFrom(r), app, http.StatusOK)
}

// shipmentRequest names a courier consignment.
type shipmentRequest struct {
	Version        int64  `json:"version,omitempty"` // admin decisions only (Ship), where it is required
	Carrier        string `json:"carrier"`
	TrackingNumber string `json:"tracking_number"`
}

func (a *App) submitMaterials(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req shipmentRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Carrier) == "" {
		// Without a carrier, the number's format (and check digit) may name
		// it; a number that fits several is answered with the candidates,
		// for the client to ask the user.
		c, n, err := courier.Detect(req.TrackingNumber)
		if err != nil {
			return err
		}
		req.Carrier, req.TrackingNumber = c.Code, n
	}
	app, err := a.svc.Applications.SubmitMaterials(r.Context(), userFrom(r), id, req.Carrier, req.TrackingNumber)
	if err != nil {
		return err
	}
	return a.writeApplication(w, r, userFrom(r), app, http.StatusOK)
}

func (a *App) confirmReceipt(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	app, err := a.svc.Applications.ConfirmReceipt(r.Context(), userFrom(r), id)
	if err != nil {
		return err
	}
	return a.writeApplication(w, r, userFrom(r), app, http.StatusOK)
}

// invoiceRequest asks for the invoice of a paid fee; empty fields take
// the defaults of the enterprise's filing in force.
type invoiceRequest struct {
	Type       notary.InvoiceType `json:"type"` // "ordinary" (普通发票) or "special" (专用发票)
	Title      string             `json:"title,omitempty"`
	TaxpayerID string             `json:"taxpayer_id,omitempty"`
	Email      string             `json:"email,omitempty"`
}

// requestInvoice asks for the invoice of the application's fee and
// answers the application, its invoice included. The same request again
// answers the same.
func (a *App) requestInvoice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req invoiceRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	app, err := a.svc.Invoices.Request(r.Context(), userFrom(r), id, notary.InvoiceRequest{
		Type: req.Type, Title: req.Title, TaxpayerID: req.TaxpayerID, Email: req.Email})
	if err != nil {
		return err
	}
	return a.writeApplication(w, r, userFrom(r), app, http.StatusOK)
}

// getInvoice answers the invoice of the user's application; 404 until one
// is asked for.
func (a *App) getInvoice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	app, err := a.svc.Applications.Get(r.Context(), userFrom(r), id)
	if err != nil {
		return err
	}
	if app.Invoice == nil {
		return fmt.Errorf("application %s: no invoice asked for: %w", id, notary.ErrNotFound)
	}
	writeJSON(w, http.StatusOK, newInvoiceView(app.Invoice))
	return nil
}

// writeApplication answers an application, as a transition (or Apply) by
// actor returned it, with the actions actor may take on it now. Nothing is
// read: a committed change is never answered with an error.
func (a *App) writeApplication(w http.ResponseWriter, _ *http.Request, actor notary.Principal, app notary.Application, status int) error {
	respondApplication(w, status, app, a.svc.Applications.ActionsAfter(app, actor))
	return nil
}

func respondApplication(w http.ResponseWriter, status int, app notary.Application, actions []notary.ApplicationTrigger) {
	v := newApplicationView(app)
	v.Actions = actions
	writeJSON(w, status, v)
}

// --- In-site inbox ---
//
// Service.Inbox scopes every call to the authenticated user and the
// office.

func (a *App) listInbox(w http.ResponseWriter, r *http.Request) error {
	before, err := decodeCursor(r, "before")
	if err != nil {
		return err
	}
	limit, err := pageSize(r)
	if err != nil {
		return err
	}
	msgs, err := a.svc.Inbox.List(r.Context(), userFrom(r), before, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(msgs, limit, newInboxView,
		func(m notary.InboxMessage) (time.Time, uuid.UUID) { return m.CreatedAt, m.ID }))
	return nil
}

func (a *App) unreadCount(w http.ResponseWriter, r *http.Request) error {
	n, err := a.svc.Inbox.UnreadCount(r.Context(), userFrom(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"unread": n})
	return nil
}

// markReadRequest lists the messages to mark read; empty marks all.
type markReadRequest struct {
	IDs []uuid.UUID `json:"ids"`
}

func (a *App) markRead(w http.ResponseWriter, r *http.Request) error {
	var req markReadRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	u := userFrom(r)
	if err := a.svc.Inbox.MarkRead(r.Context(), u, req.IDs...); err != nil {
		return err
	}
	n, err := a.svc.Inbox.UnreadCount(r.Context(), u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"unread": n})
	return nil
}
