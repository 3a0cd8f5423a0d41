package mockpay

import (
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/notarykit/notarykit/notary"
)

// checkoutTemplate is the payer's page: what is paid for, the status, and
// while the payment is open the two buttons a tester needs.
var checkoutTemplate = template.Must(template.New("checkout").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mockpay checkout {{.ID}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}
.amount{font-size:2rem;font-weight:600}
.status{display:inline-block;padding:.1rem .5rem;border-radius:.3rem;background:#eee}
.error{color:#a00}
form{display:inline}
button{font-size:1rem;padding:.5rem 1.5rem;margin:.5rem .5rem 0 0}
</style>
</head>
<body>
<h1>mockpay</h1>
<p class="muted">Test payment provider — no real money moves.</p>
{{with .Error}}<p class="error" role="alert">{{.}}</p>{{end}}
<p>{{.Description}}</p>
<p class="amount">{{.Amount}} {{.Currency}}</p>
<p>Payment <code>{{.ID}}</code>: <span class="status" id="status">{{.Status}}</span></p>
{{if not .ExpiresAt.IsZero}}<p>Expires at {{.ExpiresAt.Format "2006-01-02 15:04:05 MST"}}</p>{{end}}
{{if not .PaidAt.IsZero}}<p>Paid at {{.PaidAt.Format "2006-01-02 15:04:05 MST"}}</p>{{end}}
{{if .Closed}}<p class="closed" id="closed">This order is closed and can no longer be paid.</p>{{end}}
{{if .Refunded}}<p>Refunded {{.Refunded}} {{.Currency}}</p>{{end}}
{{if .Open}}
<form method="post" action="{{.ID}}/pay"><button type="submit" name="action" value="pay">Pay</button></form>
<form method="post" action="{{.ID}}/fail"><button type="submit" name="action" value="fail">Fail</button></form>
{{end}}
</body>
</html>
`))

// checkoutView is the data of checkoutTemplate.
type checkoutView struct {
	ID, Description, Amount, Currency string
	Status                            notary.PaymentStatus
	ExpiresAt, PaidAt                 time.Time
	Refunded                          string // empty when nothing was refunded
	Open                              bool   // the payer may still pay
	Closed                            bool   // closed by the merchant or the provider
	Error                             string
}

func (p *Provider) checkoutPage(w http.ResponseWriter, r *http.Request) {
	p.renderCheckout(w, r.PathValue("id"), http.StatusOK, "")
}

// renderCheckout shows the payment's page with status and an optional
// error message.
func (p *Provider) renderCheckout(w http.ResponseWriter, id string, status int, msg string) {
	p.mu.Lock()
	pay, err := p.lookupLocked(id)
	var v checkoutView
	if err == nil {
		v = checkoutView{ID: pay.id, Description: pay.description, Amount: pay.amount.StringFixed(2),
			Currency: pay.currency, Status: pay.status, ExpiresAt: pay.expiresAt, PaidAt: pay.paidAt,
			Open:   pay.status == notary.PaymentPending || pay.status == notary.PaymentFailed,
			Closed: pay.status == notary.PaymentCancelled, Error: msg}
		if pay.refunded.IsPositive() {
			v.Refunded = pay.refunded.StringFixed(2)
		}
	}
	p.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		http.Error(w, "mockpay: no such payment", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = checkoutTemplate.Execute(w, v)
}

// checkoutAction runs do (Pay or Fail) for the page's payment and sends the
// browser back to the page (303), or shows the page with the error.
func (p *Provider) checkoutAction(do func(id string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxRequestBytes)
		id := r.PathValue("id")
		if err := do(id); err != nil {
			status, _ := statusOf(err)
			if status == http.StatusNotFound {
				http.Error(w, "mockpay: no such payment", http.StatusNotFound)
				return
			}
			p.renderCheckout(w, id, status, err.Error())
			return
		}
		// Relative, so the redirect works under any mount prefix:
		// /x/checkout/{id}/pay → /x/checkout/{id}.
		w.Header().Set("Location", "../"+url.PathEscape(id))
		w.WriteHeader(http.StatusSeeOther)
	}
}
