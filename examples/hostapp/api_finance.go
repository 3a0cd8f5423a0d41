package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/notary"
)

// The finance side of the admin API (finance staff: notary.RoleFinance;
// the SDK refuses anybody else with 403):
//
//	POST /api/admin/finance/transfers              record a received bank transfer
//	GET  /api/admin/finance/transfers?status=      kept transfers (unmatched by default)
//	POST /api/admin/finance/transfers/{id}/match   match a kept transfer to an application
//	GET  /api/admin/finance/awaiting               applications awaiting a bank transfer
//	GET  /api/admin/finance/refunds                refunds due by bank transfer
//	POST /api/admin/applications/{id}/refund       record the transfer that paid a refund
//	GET  /api/admin/finance/invoices?state=        the invoice queue (Requested by default)
//	POST /api/admin/applications/{id}/invoice/issue    issue the invoice asked for
//	POST /api/admin/applications/{id}/invoice/reject   reject the request, with a reason
//	POST /api/admin/applications/{id}/invoice/reverse  record the reversing (红字) invoice
func (a *App) financeRoutes(handle func(pattern string, h handlerFunc)) {
	handle("POST /api/admin/finance/transfers", a.recordTransfer)
	handle("GET /api/admin/finance/transfers", a.listTransfers)
	handle("POST /api/admin/finance/transfers/{id}/match", a.matchTransfer)
	handle("GET /api/admin/finance/awaiting", a.awaitingTransfer)
	handle("GET /api/admin/finance/refunds", a.refundsDue)
	handle("POST /api/admin/applications/{id}/refund", a.recordRefund)
	handle("GET /api/admin/finance/invoices", a.invoiceQueue)
	handle("POST /api/admin/applications/{id}/invoice/issue", a.issueInvoice)
	handle("POST /api/admin/applications/{id}/invoice/reject", a.rejectInvoice)
	handle("POST /api/admin/applications/{id}/invoice/reverse", a.reverseInvoice)
}

// transferRequest is a bank transfer as finance read it off the bank's
// statement. Amount is a decimal string ("300.00"); Date a day
// (YYYY-MM-DD) of the office's time zone.
type transferRequest struct {
	Serial    string `json:"serial"`
	Reference string `json:"reference"`
	PayerName string `json:"payer_name"`
	Amount    string `json:"amount"`
	Currency  string `json:"currency"`
	Date      string `json:"date"`
}

// transferView is a kept bank transfer.
type transferView struct {
	ID            uuid.UUID              `json:"id"`
	Serial        string                 `json:"serial"`
	Reference     string                 `json:"reference,omitempty"`
	PayerName     string                 `json:"payer_name"`
	Amount        string                 `json:"amount"`
	Currency      string                 `json:"currency"`
	Date          time.Time              `json:"date"`
	Problem       notary.TransferProblem `json:"problem"`
	Status        notary.TransferStatus  `json:"status"`
	RecordedAt    time.Time              `json:"recorded_at"`
	ApplicationID uuid.UUID              `json:"application_id,omitzero"`
	MatchedAt     time.Time              `json:"matched_at,omitzero"`
}

func newTransferView(t notary.BankTransfer) transferView {
	return transferView{ID: t.ID, Serial: t.Transfer.Serial, Reference: t.Transfer.Reference, PayerName: t.Transfer.PayerName,
		Amount: t.Transfer.Amount.StringFixed(2), Currency: t.Transfer.Currency, Date: t.Transfer.Date, Problem: t.Problem,
		Status: t.Status, RecordedAt: t.RecordedAt, ApplicationID: t.ApplicationID, MatchedAt: t.MatchedAt}
}

// transferResult answers a recorded transfer: the application it paid, or
// the transfer kept unmatched.
type transferResult struct {
	Application *applicationView `json:"application,omitempty"`
	Kept        *transferView    `json:"kept,omitempty"`
	Replayed    bool             `json:"replayed,omitempty"`
}

// day parses a date field of the office's time zone.
func (a *App) day(field, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil // the SDK says it is required
	}
	d, err := time.ParseInLocation(time.DateOnly, v, a.svc.Office().TimeZone)
	if err != nil {
		return time.Time{}, &notary.FieldError{Field: field, Reason: "must be a date (YYYY-MM-DD)"}
	}
	return d, nil
}

func (a *App) recordTransfer(w http.ResponseWriter, r *http.Request) error {
	var req transferRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	amount, err := decimal.NewFromString(strings.TrimSpace(req.Amount))
	if err != nil {
		return &notary.FieldError{Field: "amount", Reason: "must be a decimal string such as \"300.00\""}
	}
	date, err := a.day("date", req.Date)
	if err != nil {
		return err
	}
	res, err := a.svc.Finance.RecordTransfer(r.Context(), adminFrom(r), notary.ReceivedTransfer{Serial: req.Serial,
		Reference: strings.TrimSpace(req.Reference), PayerName: req.PayerName, Amount: amount, Currency: req.Currency, Date: date})
	if err != nil {
		return err
	}
	out, status := transferResult{Replayed: res.Replayed}, http.StatusCreated
	if res.Replayed {
		status = http.StatusOK
	}
	if res.Application != nil {
		v := newApplicationView(*res.Application)
		out.Application = &v
	}
	if res.Kept != nil {
		v := newTransferView(*res.Kept)
		out.Kept = &v
	}
	writeJSON(w, status, out)
	return nil
}

func (a *App) listTransfers(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	status := notary.TransferStatus(r.URL.Query().Get("status"))
	if !r.URL.Query().Has("status") {
		status = notary.TransferUnmatched
	}
	list, err := a.svc.Finance.Transfers(r.Context(), adminFrom(r), notary.TransferQuery{Status: status, After: after, Limit: limit})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(list, limit, newTransferView,
		func(t notary.BankTransfer) (time.Time, uuid.UUID) { return t.RecordedAt, t.ID }))
	return nil
}

type matchRequest struct {
	ApplicationID uuid.UUID `json:"application_id"`
}

func (a *App) matchTransfer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req matchRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	app, err := a.svc.Finance.Match(r.Context(), adminFrom(r), id, req.ApplicationID)
	if err != nil {
		return err
	}
	return a.writeApplication(w, r, adminFrom(r), app, http.StatusOK)
}

// financeList answers a page of the applications list returns.
func (a *App) financeList(w http.ResponseWriter, r *http.Request,
	list func(notary.Admin, *notary.Cursor, int) ([]notary.Application, error)) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	apps, err := list(adminFrom(r), after, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, applicationPage(apps, limit))
	return nil
}

func (a *App) awaitingTransfer(w http.ResponseWriter, r *http.Request) error {
	return a.financeList(w, r, func(admin notary.Admin, after *notary.Cursor, limit int) ([]notary.Application, error) {
		return a.svc.Finance.AwaitingTransfer(r.Context(), admin, after, limit)
	})
}

func (a *App) refundsDue(w http.ResponseWriter, r *http.Request) error {
	return a.financeList(w, r, func(admin notary.Admin, after *notary.Cursor, limit int) ([]notary.Application, error) {
		return a.svc.Finance.RefundsDue(r.Context(), admin, after, limit)
	})
}

// refundRequest names the bank transfer that paid a fee back.
type refundRequest struct {
	Serial string `json:"serial"`
	Date   string `json:"date"`
}

func (a *App) recordRefund(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req refundRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	date, err := a.day("date", req.Date)
	if err != nil {
		return err
	}
	app, err := a.svc.Finance.RecordRefund(r.Context(), adminFrom(r), id, notary.OutgoingRefund{Serial: req.Serial, Date: date})
	if err != nil {
		return err
	}
	return a.writeApplication(w, r, adminFrom(r), app, http.StatusOK)
}

// invoiceQueue lists the applications whose invoice is in ?state= (an
// InvoiceState, Requested by default), oldest first, a page after ?after=.
func (a *App) invoiceQueue(w http.ResponseWriter, r *http.Request) error {
	state := notary.InvoiceState(r.URL.Query().Get("state"))
	if state == "" {
		state = notary.InvoiceRequested
	}
	return a.financeList(w, r, func(admin notary.Admin, after *notary.Cursor, limit int) ([]notary.Application, error) {
		return a.svc.Invoices.Queue(r.Context(), admin, state, after, limit)
	})
}

// issuedInvoiceRequest is an invoice finance issued (or a reversing one)
// on the application at version: its number (8 or 20 digits), the issue
// date printed on it (YYYY-MM-DD, office time zone), where its PDF is
// kept and the PDF's hex SHA-256.
type issuedInvoiceRequest struct {
	Version   int64  `json:"version"`
	Number    string `json:"number"`
	IssuedOn  string `json:"issued_on"`
	PDFRef    string `json:"pdf_ref"`
	PDFSHA256 string `json:"pdf_sha256"`
}

// invoiceDecision runs an issue or a reversal: the body's date is parsed,
// everything else is the SDK's to judge.
func (a *App) invoiceDecision(w http.ResponseWriter, r *http.Request,
	run func(ctx context.Context, admin notary.Admin, id uuid.UUID, version int64, i notary.IssuedInvoice) (notary.Application, error)) error {
	var req issuedInvoiceRequest
	return decide(a, w, r, &req, func(ctx context.Context, admin notary.Admin, id uuid.UUID) (notary.Application, error) {
		on, err := a.day("issued_on", req.IssuedOn)
		if err != nil {
			return notary.Application{}, err
		}
		app, err := run(ctx, admin, id, req.Version, notary.IssuedInvoice{Number: req.Number, IssuedOn: on,
			PDFRef: req.PDFRef, PDFSHA256: req.PDFSHA256})
		return app, invoiceField(err)
	}, a.writeApplication)
}

func (a *App) issueInvoice(w http.ResponseWriter, r *http.Request) error {
	return a.invoiceDecision(w, r, a.svc.Invoices.Issue)
}

func (a *App) reverseInvoice(w http.ResponseWriter, r *http.Request) error {
	return a.invoiceDecision(w, r, a.svc.Invoices.Reverse)
}

func (a *App) rejectInvoice(w http.ResponseWriter, r *http.Request) error {
	var req rejectRequest
	return decide(a, w, r, &req, func(ctx context.Context, admin notary.Admin, id uuid.UUID) (notary.Application, error) {
		return a.svc.Invoices.Reject(ctx, admin, id, req.Version, req.Reason)
	}, a.writeApplication)
}

// invoiceField renames the SDK's "invoice.number" (and the other
// "invoice.*" fields) to the body's "number": a 400 names the field as
// the client sent it.
func invoiceField(err error) error {
	var fe *notary.FieldError
	if errors.As(err, &fe) && strings.HasPrefix(fe.Field, "invoice.") {
		return &notary.FieldError{Field: strings.TrimPrefix(fe.Field, "invoice."), Reason: fe.Reason}
	}
	return err
}
