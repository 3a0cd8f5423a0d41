package console

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// The finance page: finance's invoice queues (发票), one per invoice
// state, with the forms to issue or reject a request and to record the
// reversing (红字) invoice a refund waits for. The SDK authorizes every
// one of them (finance only); the console only offers the forms.

// invoiceMessages are the finance page's words, added to messages.
var invoiceMessages = map[string]text{
	"nav.invoices":              {"发票", "Invoices"},
	"invoices.title":            {"发票", "Invoices"},
	"invoices.title.col":        {"发票抬头", "Title"},
	"invoices.type":             {"发票类型", "Type"},
	"invoices.taxpayer":         {"纳税人识别号 / 收票邮箱", "Taxpayer ID / email"},
	"invoices.amount":           {"开票金额", "Amount"},
	"invoices.requested":        {"申请时间", "Requested"},
	"invoices.detail":           {"发票信息", "Invoice"},
	"invoices.number":           {"发票号码", "Invoice number"},
	"invoices.issued.on":        {"开票日期", "Issue date"},
	"invoices.pdf":              {"PDF 存放位置", "PDF reference"},
	"invoices.sha":              {"PDF 的 SHA-256", "SHA-256 of the PDF"},
	"invoices.reversal":         {"红字发票", "Reversing invoice"},
	"a.invoice":                 {"发票", "Invoice"},
	"a.invoice.number":          {"发票号码", "number"},
	"a.invoice.date":            {"开票日期", "issued on"},
	"invoices.rejected.because": {"驳回理由：", "Rejected: "},
	"invoices.refund.waits":     {"应退还费用：退款须先开具红字发票。", "The fee is due back: the refund waits for the reversing invoice."},
	"invoices.issue":            {"开具发票", "Issue the invoice"},
	"invoices.issue.button":     {"记录已开具的发票", "Record the invoice"},
	"invoices.reverse":          {"红冲发票", "Reverse the invoice"},
	"invoices.reverse.button":   {"记录红字发票", "Record the reversing invoice"},
	"invoices.reject":           {"驳回开票申请", "Reject the request"},
	"invoices.reject.reason":    {"驳回理由", "Reason"},
	"invoices.done.issue":       {"发票已开具，已通知用户。", "Invoice recorded; the user is notified."},
	"invoices.done.reject":      {"开票申请已驳回，已告知用户理由。", "Request rejected; the user is told the reason."},
	"invoices.done.reverse":     {"红字发票已记录，已通知用户；应退费用随即退还。", "Reversing invoice recorded; the user is notified and a fee due back is refunded."},
}

// invoiceTypes name the invoice types; invoiceStates the invoice states
// where the application's states do not (Rejected is a filing's too).
var (
	invoiceTypes = map[string]text{
		string(notary.InvoiceOrdinary): {"增值税普通发票", "ordinary VAT invoice"},
		string(notary.InvoiceSpecial):  {"增值税专用发票", "special VAT invoice"},
	}
	invoiceStates = map[string]text{
		string(notary.InvoiceRejected): {"开票申请已驳回", "request rejected"},
	}
)

// invoiceStateName is an invoice state in l's words.
func invoiceStateName(l Lang, st notary.InvoiceState) string {
	if name := label(invoiceStates, l, string(st)); name != string(st) {
		return name
	}
	return label(states, l, string(st))
}

func init() {
	for k, v := range invoiceMessages {
		messages[k] = v
	}
}

// invoiceQueues are the invoice states finance lists, first the default.
var invoiceQueues = []notary.InvoiceState{notary.InvoiceRequested, notary.InvoiceIssued, notary.InvoiceRejected, notary.InvoiceReversed}

// invoiceFields are the form fields of each invoice action; a refusal
// naming one of them is shown next to it.
var invoiceFields = map[string][]string{
	"issue":   {"invoice.number", "invoice.issued_on", "invoice.pdf_ref", "invoice.pdf_sha256"},
	"reject":  {"reason"},
	"reverse": {"invoice.number", "invoice.issued_on", "invoice.pdf_ref", "invoice.pdf_sha256"},
}

// invoiceRow is an application in an invoice queue.
type invoiceRow struct {
	notary.Application
	Amount string // the invoice's amount and currency
	Type   string // the invoice's type, named
	// RefundWaits: the fee is due back and its refund waits for the
	// reversing invoice.
	RefundWaits bool
}

type invoicesView struct {
	queueView[notary.InvoiceState, invoiceRow]
	// Form is a refused form, kept with its row (FormID).
	Form   form
	FormID uuid.UUID
	Today  string // the office's date, the forms' default issue date
	// Tabs name the queues in the page's language.
	Tabs []invoiceTab
}

type invoiceTab struct {
	State notary.InvoiceState
	Name  string
}

// Val is what finance typed into field of action's form of the row id, if
// that form was refused.
func (v invoicesView) Val(id uuid.UUID, action, field string) string {
	if id != v.FormID {
		return ""
	}
	return v.Form.Val(action, field)
}

// Err is the refusal of field of action's form of the row id, if any.
func (v invoicesView) Err(id uuid.UUID, action, field string) string {
	if id != v.FormID {
		return ""
	}
	return v.Form.Err(action, field)
}

// invoiceForm is what the issue and reverse forms of a row show.
type invoiceForm struct {
	V      invoicesView
	Row    invoiceRow
	Action string
	CSRF   string
}

// FormOf is the action's form of row.
func (v invoicesView) FormOf(row invoiceRow, action, csrf string) invoiceForm {
	return invoiceForm{V: v, Row: row, Action: action, CSRF: csrf}
}

func (c *Console) invoicesPage(w http.ResponseWriter, r *http.Request, s session) error {
	flash := ""
	if a := r.URL.Query().Get("done"); invoiceFields[a] != nil {
		flash = t(s.Lang, "invoices.done."+a)
	}
	return c.showInvoices(w, r, s, http.StatusOK, flash, "", invoicesView{})
}

func (c *Console) showInvoices(w http.ResponseWriter, r *http.Request, s session, status int, flash, errMsg string, v invoicesView) error {
	qq, err := parseQueue(r, invoiceQueues)
	if err != nil {
		return err
	}
	list, err := c.svc.Invoices.Queue(r.Context(), s.Admin, qq.State, qq.After, pageSize)
	if err != nil {
		return err
	}
	office := c.svc.Office()
	v.States, v.State, v.Items = invoiceQueues, qq.State, make([]invoiceRow, len(list))
	for i, app := range list {
		inv := app.Invoice
		_, due := office.RefundDue(app)
		v.Items[i] = invoiceRow{Application: app, Amount: inv.Amount.StringFixed(2) + " " + inv.Currency,
			Type:        label(invoiceTypes, s.Lang, string(inv.Request.Type)),
			RefundWaits: due && inv.State == notary.InvoiceIssued}
	}
	if n := len(list); n > 0 {
		v.Next = nextQuery(string(qq.State), n, list[n-1].CreatedAt, list[n-1].ID)
	}
	for _, st := range invoiceQueues {
		v.Tabs = append(v.Tabs, invoiceTab{State: st, Name: invoiceStateName(s.Lang, st)})
	}
	v.Today = c.svc.Clock().Now().In(office.TimeZone).Format(time.DateOnly)
	c.render(w, r, status, "invoices", pageData{Lang: s.Lang, Title: t(s.Lang, "invoices.title"),
		Admin: &s.Admin, Waiting: s.Waiting, CSRF: s.CSRF, Nav: "invoices", Flash: flash, Error: errMsg, P: v})
	return nil
}

// invoiceAction issues or rejects the invoice request of an application,
// or records the reversing invoice of its issued invoice.
func (c *Console) invoiceAction(w http.ResponseWriter, r *http.Request, s session) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	if invoiceFields[action] == nil {
		return fmt.Errorf("%w: no action %q", notary.ErrNotFound, action)
	}
	version, err := formVersion(r)
	if err == nil {
		ctx, inv := r.Context(), c.svc.Invoices
		switch action {
		case "issue", "reverse":
			var issued notary.IssuedInvoice
			if issued, err = c.issuedForm(r); err != nil {
				break
			}
			if action == "issue" {
				_, err = inv.Issue(ctx, s.Admin, id, version, issued)
			} else {
				_, err = inv.Reverse(ctx, s.Admin, id, version, issued)
			}
		case "reject":
			_, err = inv.Reject(ctx, s.Admin, id, version, r.PostFormValue("reason"))
		}
	}
	state := r.URL.Query().Get("state")
	if err != nil {
		status := c.status(w, r, err)
		if status >= 500 || status == statusClientClosed {
			return err
		}
		v := invoicesView{Form: form{Action: action, Values: r.PostForm, Errors: map[string]string{}}, FormID: id}
		var fe *notary.FieldError
		msg := errorMessage(s.Lang, err)
		if asField(err, &fe) && contains(invoiceFields[action], fe.Field) {
			v.Form.Errors[fe.Field], msg = fieldMessage(s.Lang, fe), ""
		}
		return c.showInvoices(w, r, s, status, "", msg, v)
	}
	http.Redirect(w, r, c.path("/invoices?"+url.Values{"state": {state}, "done": {action}}.Encode()), http.StatusSeeOther)
	return nil
}

// issuedForm reads an issued (or reversing) invoice from the form; the
// date is a calendar date (YYYY-MM-DD) in the office's time zone.
func (c *Console) issuedForm(r *http.Request) (notary.IssuedInvoice, error) {
	i := notary.IssuedInvoice{Number: r.PostFormValue("number"), PDFRef: r.PostFormValue("pdf_ref"), PDFSHA256: r.PostFormValue("pdf_sha256")}
	on, err := c.formDate(r, "issued_on")
	if err != nil {
		return i, &notary.FieldError{Field: "invoice.issued_on", Reason: "must be a date (YYYY-MM-DD)"}
	}
	i.IssuedOn = on
	return i, nil
}
