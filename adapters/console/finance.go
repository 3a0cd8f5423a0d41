package console

import (
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/notary"
)

// The finance page (DutyMoney): the bank transfers finance records as the
// bank shows them, the ones that paid no application (to match by hand),
// the applications waiting for a transfer, and the refunds finance owes by
// transfer. The SDK decides everything (notary.Finance); the page offers
// the forms and shows the SDK's refusals next to their fields.

type financeView struct {
	Unmatched []notary.BankTransfer
	Awaiting  []applicationRow // named by their enterprise, the payer finance sees on the bank statement
	Refunds   []applicationRow
	Form      form
}

// transferFields are the record-transfer form's fields that the SDK may
// refuse, shown next to the field.
var transferFields = []string{"serial", "reference", "payer_name", "amount", "currency", "date"}

func (c *Console) financePage(w http.ResponseWriter, r *http.Request, s session) error {
	return c.showFinance(w, r, s, http.StatusOK, done(s.Lang, r), "", form{})
}

func (c *Console) showFinance(w http.ResponseWriter, r *http.Request, s session, status int, flash, errMsg string, f form) error {
	ctx, fin := r.Context(), c.svc.Finance
	v := financeView{Form: f}
	var err error
	if v.Unmatched, err = fin.Unmatched(ctx, s.Admin, nil, 200); err != nil {
		return err
	}
	awaiting, err := fin.AwaitingTransfer(ctx, s.Admin, nil, 200)
	if err != nil {
		return err
	}
	refunds, err := fin.RefundsDue(ctx, s.Admin, nil, 200)
	if err != nil {
		return err
	}
	seen := map[uuid.UUID]notary.FilingContent{}
	if v.Awaiting, err = c.applicationRows(r, s, awaiting, seen); err != nil {
		return err
	}
	if v.Refunds, err = c.applicationRows(r, s, refunds, seen); err != nil {
		return err
	}
	c.render(w, r, status, "finance", pageData{Lang: s.Lang, Title: t(s.Lang, "finance.title"), Admin: &s.Admin, Waiting: s.Waiting,
		CSRF: s.CSRF, Nav: "finance", Flash: flash, Error: errMsg, P: v})
	return nil
}

// financeRefused shows the finance page again after the SDK refused the form
// action: its field errors next to the fields of fields, anything else as
// the page's error. Server errors go to the error page.
func (c *Console) financeRefused(w http.ResponseWriter, r *http.Request, s session, action string, fields []string, err error) error {
	status := c.status(w, r, err)
	if status >= 500 || status == statusClientClosed {
		return err
	}
	f := form{Action: action, Values: r.PostForm, Errors: map[string]string{}}
	msg := errorMessage(s.Lang, err)
	var fe *notary.FieldError
	if asField(err, &fe) && contains(fields, fe.Field) {
		f.Errors[fe.Field], msg = fieldMessage(s.Lang, fe), ""
	}
	return c.showFinance(w, r, s, status, "", msg, f)
}

// formDate reads a date field (YYYY-MM-DD, a day of the office's time
// zone) as the start of that day.
func (c *Console) formDate(r *http.Request, field string) (time.Time, error) {
	v := strings.TrimSpace(r.PostFormValue(field))
	if v == "" {
		return time.Time{}, nil // the SDK says it is required
	}
	d, err := time.ParseInLocation(time.DateOnly, v, c.svc.Office().TimeZone)
	if err != nil {
		return time.Time{}, &notary.FieldError{Field: field, Reason: "must be a date (YYYY-MM-DD)"}
	}
	return d, nil
}

// recordTransfer records a bank transfer from the form.
func (c *Console) recordTransfer(w http.ResponseWriter, r *http.Request, s session) error {
	tr := notary.ReceivedTransfer{Serial: r.PostFormValue("serial"), Reference: strings.TrimSpace(r.PostFormValue("reference")),
		PayerName: r.PostFormValue("payer_name")}
	var err error
	if tr.Amount, err = decimal.NewFromString(strings.TrimSpace(r.PostFormValue("amount"))); err != nil {
		err = &notary.FieldError{Field: "amount", Reason: "missing or not a number"}
	}
	if err == nil {
		tr.Date, err = c.formDate(r, "date")
	}
	var res notary.TransferResult
	if err == nil {
		res, err = c.svc.Finance.RecordTransfer(r.Context(), s.Admin, tr)
	}
	if err != nil {
		return c.financeRefused(w, r, s, "transfer", transferFields, err)
	}
	flash := tf(s.Lang, "finance.kept", label(transferProblems, s.Lang, string(kept(res).Problem)))
	if res.Application != nil {
		flash = tf(s.Lang, "finance.paid", res.Application.ID)
	}
	return c.showFinance(w, r, s, http.StatusCreated, flash, "", form{})
}

// kept is the kept transfer of a result, or an empty one.
func kept(res notary.TransferResult) notary.BankTransfer {
	if res.Kept == nil {
		return notary.BankTransfer{}
	}
	return *res.Kept
}

// matchTransfer attaches a kept transfer to the application named in the
// form.
func (c *Console) matchTransfer(w http.ResponseWriter, r *http.Request, s session) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	action := "match-" + id.String()
	app, err := uuid.Parse(strings.TrimSpace(r.PostFormValue("application_id")))
	if err != nil {
		err = &notary.FieldError{Field: "application_id", Reason: "not an application ID"}
	} else {
		_, err = c.svc.Finance.Match(r.Context(), s.Admin, id, app)
	}
	if err != nil {
		return c.financeRefused(w, r, s, action, []string{"application_id", "amount", "currency"}, err)
	}
	http.Redirect(w, r, c.path("/finance?done=match"), http.StatusSeeOther)
	return nil
}

// recordRefund records the bank transfer that paid an application's fee
// back.
func (c *Console) recordRefund(w http.ResponseWriter, r *http.Request, s session) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	out := notary.OutgoingRefund{Serial: r.PostFormValue("serial")}
	if out.Date, err = c.formDate(r, "date"); err == nil {
		_, err = c.svc.Finance.RecordRefund(r.Context(), s.Admin, id, out)
	}
	if err != nil {
		return c.financeRefused(w, r, s, "refund-"+id.String(), []string{"serial", "date"}, err)
	}
	http.Redirect(w, r, c.path("/finance?done=refund"), http.StatusSeeOther)
	return nil
}

// transferProblems are the names of the reasons a transfer paid nothing.
var transferProblems = map[string]text{
	string(notary.ProblemNoReference):        {"附言中没有付款编号", "no reference in the note"},
	string(notary.ProblemBadReference):       {"付款编号有误（校验位不符）", "reference mistyped (check character)"},
	string(notary.ProblemUnknownApplication): {"付款编号不对应任何申请", "no application has this reference"},
	string(notary.ProblemNotBankTransfer):    {"该申请使用在线支付", "the application pays by wallet"},
	string(notary.ProblemNotAwaiting):        {"该申请已取消或已付款", "the application is cancelled or paid"},
	string(notary.ProblemAmount):             {"金额与应付金额不符", "the amount is not the fee"},
}
