package mockpay

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/notary"
)

// maxRequestBytes bounds JSON API and form request bodies.
const maxRequestBytes = 64 << 10

// HeaderIdempotencyKey is the request header carrying an idempotency key
// (the body field idempotency_key is accepted too).
const HeaderIdempotencyKey = "Idempotency-Key"

// Handler serves the provider's checkout pages and JSON API:
//
//	GET  /checkout/{id}                the payer's checkout page
//	POST /checkout/{id}/pay            pay (then redirect to the page)
//	POST /checkout/{id}/fail           a failed attempt (then redirect)
//	POST /api/payments                 create (idempotent per key)
//	GET  /api/payments/{id}            query
//	POST /api/payments/{id}/close      close an unpaid payment (idempotent)
//	POST /api/payments/{id}/refunds    refund (idempotent per key)
//
// Mount it under a prefix with http.StripPrefix and set Options.BaseURL to
// the prefixed address. Every /api/ request needs the provider's key
// (Authorization: Bearer <Options.APIKey>), else 401. The API answers
// JSON; errors are {"error":{"code":…,"message":…}} with 400 (invalid),
// 401 (no or wrong key), 404 (unknown payment), 409 (idempotency key reused
// with other parameters, a state that forbids the action, or code
// "order_paid": closing a paid payment, with the payment in "payment"),
// 413 (body too large) or 503 with Retry-After (code "close_too_early":
// closing a payment in its first Options.MinCloseAge).
func (p *Provider) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /checkout/{id}", p.checkoutPage)
	mux.HandleFunc("POST /checkout/{id}/pay", p.checkoutAction(p.Pay))
	mux.HandleFunc("POST /checkout/{id}/fail", p.checkoutAction(p.Fail))
	mux.HandleFunc("POST /api/payments", p.authorized(p.apiCreate))
	mux.HandleFunc("GET /api/payments/{id}", p.authorized(p.apiGet))
	mux.HandleFunc("POST /api/payments/{id}/close", p.authorized(p.apiClose))
	mux.HandleFunc("POST /api/payments/{id}/refunds", p.authorized(p.apiRefund))
	return mux
}

// authorized lets a JSON API request through only with the provider's API
// key, compared in constant time (over digests, so not even the key's
// length leaks).
func (p *Provider) authorized(next http.HandlerFunc) http.HandlerFunc {
	want := sha256.Sum256([]byte(p.apiKey))
	return func(w http.ResponseWriter, r *http.Request) {
		key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		got := sha256.Sum256([]byte(key))
		if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mockpay"`)
			writeAPIError(w, http.StatusUnauthorized, "unauthorized", "missing or wrong API key")
			return
		}
		next(w, r)
	}
}

func (p *Provider) apiClose(w http.ResponseWriter, r *http.Request) {
	pay, err := p.ClosePayment(r.PathValue("id"))
	switch {
	case errors.Is(err, notary.ErrAlreadyPaid):
		var e apiError
		e.Error.Code, e.Error.Message = "order_paid", err.Error()
		p.mu.Lock()
		res := p.payments[pay.ID].resource()
		p.mu.Unlock()
		e.Payment = &res
		writeJSON(w, http.StatusConflict, e)
		return
	case errors.Is(err, ErrCloseTooEarly):
		w.Header().Set("Retry-After", strconv.Itoa(60))
		writeAPIError(w, http.StatusServiceUnavailable, "close_too_early", err.Error())
		return
	case err != nil:
		writeError(w, err)
		return
	}
	p.mu.Lock()
	res := p.payments[pay.ID].resource()
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, res)
}

func (p *Provider) apiCreate(w http.ResponseWriter, r *http.Request) {
	var req createPaymentRequest
	if !decode(w, r, &req) {
		return
	}
	key, err := idempotencyKey(r, req.IdempotencyKey)
	if err != nil {
		writeError(w, err)
		return
	}
	c, err := checkCreate(req)
	if err != nil {
		writeError(w, err)
		return
	}
	c.key = key
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	pay, replayed, err := p.create(c, scheme+"://"+r.Host)
	if err != nil {
		writeError(w, err)
		return
	}
	p.mu.Lock()
	res := pay.resource()
	p.mu.Unlock()
	status := http.StatusCreated
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	writeJSON(w, status, res)
}

func (p *Provider) apiGet(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	pay, err := p.lookupLocked(r.PathValue("id"))
	var res paymentResource
	if err == nil {
		res = pay.resource()
	}
	p.mu.Unlock()
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (p *Provider) apiRefund(w http.ResponseWriter, r *http.Request) {
	var req refundRequest
	if !decode(w, r, &req) {
		return
	}
	key, err := idempotencyKey(r, req.IdempotencyKey)
	if err != nil {
		writeError(w, err)
		return
	}
	amount, err := parseAmount(req.Amount)
	if err != nil {
		writeError(w, err)
		return
	}
	if req.Currency != "" && !validCurrency(req.Currency) {
		writeError(w, &notary.FieldError{Field: "currency", Reason: "must be an ISO 4217 code like CNY"})
		return
	}
	if utf8.RuneCountInString(req.Reason) > 256 {
		writeError(w, &notary.FieldError{Field: "reason", Reason: "longer than 256 characters"})
		return
	}
	rf, replayed, err := p.refund(r.PathValue("id"), key, amount, req.Currency, req.Reason)
	if err != nil {
		writeError(w, err)
		return
	}
	status := http.StatusCreated
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	writeJSON(w, status, rf.resource())
}

// checkCreate validates a creation request.
func checkCreate(req createPaymentRequest) (createParams, error) {
	c := createParams{appID: req.ApplicationID, officeID: req.OfficeID, currency: req.Currency,
		description: req.Description, expiresAt: req.ExpiresAt}
	if c.appID == uuid.Nil {
		return c, &notary.FieldError{Field: "application_id", Reason: "required"}
	}
	amount, err := parseAmount(req.Amount)
	if err != nil {
		return c, err
	}
	c.amount = amount
	if !validCurrency(c.currency) {
		return c, &notary.FieldError{Field: "currency", Reason: "must be an ISO 4217 code like CNY"}
	}
	if utf8.RuneCountInString(c.description) > 256 || !utf8.ValidString(c.description) {
		return c, &notary.FieldError{Field: "description", Reason: "longer than 256 characters or not UTF-8"}
	}
	return c, nil
}

// maxAmount bounds amounts so nobody pays a billion by a typo.
var maxAmount = decimal.NewFromInt(100_000_000)

// parseAmount parses a positive decimal amount with at most two places.
func parseAmount(s string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	switch {
	case err != nil:
		return decimal.Zero, &notary.FieldError{Field: "amount", Reason: "not a decimal number"}
	case !d.IsPositive():
		return decimal.Zero, &notary.FieldError{Field: "amount", Reason: "must be positive"}
	case !d.Equal(d.Round(2)):
		return decimal.Zero, &notary.FieldError{Field: "amount", Reason: "more than two decimal places"}
	case d.GreaterThan(maxAmount):
		return decimal.Zero, &notary.FieldError{Field: "amount", Reason: "too large"}
	}
	return d, nil
}

func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := range 3 {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

// idempotencyKey returns the request's key from the header or the body;
// both present and different is an error.
func idempotencyKey(r *http.Request, body string) (string, error) {
	h := strings.TrimSpace(r.Header.Get(HeaderIdempotencyKey))
	body = strings.TrimSpace(body)
	switch {
	case h != "" && body != "" && h != body:
		return "", &notary.FieldError{Field: "idempotency_key", Reason: "header and body disagree"}
	case len(h) > 255 || len(body) > 255:
		return "", &notary.FieldError{Field: "idempotency_key", Reason: "longer than 255 bytes"}
	case h != "":
		return h, nil
	}
	return body, nil
}

// decode reads a JSON body into v, answering the error itself.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeAPIError(w, http.StatusRequestEntityTooLarge, "too_large", "request body too large")
			return false
		}
		writeAPIError(w, http.StatusBadRequest, "invalid_json", "malformed JSON body: "+err.Error())
		return false
	}
	return true
}

// statusOf maps a provider error to an HTTP status and code.
func statusOf(err error) (int, string) {
	switch {
	case errors.Is(err, notary.ErrNotFound):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, notary.ErrInvalidInput):
		return http.StatusBadRequest, "invalid_request"
	case errors.Is(err, notary.ErrConflict):
		return http.StatusConflict, "idempotency_conflict"
	case errors.Is(err, notary.ErrInvalidTransition):
		return http.StatusConflict, "invalid_state"
	}
	return http.StatusInternalServerError, "internal"
}

func writeError(w http.ResponseWriter, err error) {
	status, code := statusOf(err)
	writeAPIError(w, status, code, err.Error())
}

func writeAPIError(w http.ResponseWriter, status int, code, msg string) {
	var e apiError
	e.Error.Code, e.Error.Message = code, msg
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // a write error means the client went away
}
