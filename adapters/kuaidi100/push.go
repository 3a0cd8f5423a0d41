package kuaidi100

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/notarykit/notarykit/notary"
)

// Push is a verified status push.
type Push struct {
	// Status is Kuaidi100's monitoring status: "polling" (watching),
	// "shutdown" (finished: delivered), "abort" (given up, e.g. no scans
	// for three days; subscribe again to resume) or "updateall" (a full
	// re-push).
	Status string
	// Message explains Status, e.g. "3天查询无记录".
	Message string
	// Tracking is the consignment's status from the push's lastResult.
	Tracking notary.TrackingStatus
}

type pushParam struct {
	Status     string `json:"status"`
	Message    string `json:"message"`
	LastResult result `json:"lastResult"`
}

// VerifyPush checks a push's form fields and returns its content. A
// missing or wrong sign (compared in constant time, either case of hex
// digits) yields an error wrapping notary.ErrForbidden; a signed param that
// is not a push document one wrapping notary.ErrInvalidInput. Without
// Config.Salt every push is refused (ErrNoSalt, also ErrForbidden).
func (c *Client) VerifyPush(form url.Values) (Push, error) {
	if c.salt == "" {
		return Push{}, fmt.Errorf("%w: %w", notary.ErrForbidden, ErrNoSalt)
	}
	param, sign := form.Get("param"), strings.ToUpper(strings.TrimSpace(form.Get("sign")))
	want := PushSign(param, c.salt)
	if subtle.ConstantTimeCompare([]byte(sign), []byte(want)) != 1 {
		return Push{}, fmt.Errorf("kuaidi100: push signature mismatch: %w", notary.ErrForbidden)
	}
	var p pushParam
	if err := json.Unmarshal([]byte(param), &p); err != nil {
		return Push{}, &notary.FieldError{Field: "param", Reason: "not a push document"}
	}
	if p.LastResult.Nu == "" {
		return Push{}, &notary.FieldError{Field: "param.lastResult.nu", Reason: "required"}
	}
	st, err := c.status(p.LastResult)
	if err != nil {
		return Push{}, &notary.FieldError{Field: "param.lastResult.data", Reason: err.Error()}
	}
	return Push{Status: p.Status, Message: p.Message, Tracking: st}, nil
}

// pushAnswer is what Kuaidi100 expects back from a callback.
type pushAnswer struct {
	Result     bool   `json:"result"`
	ReturnCode string `json:"returnCode"`
	Message    string `json:"message"`
}

// PushHandler serves the callback URL given to Subscribe. It verifies each
// push and hands it to on; on's error makes the answer result=false
// (HTTP 500) so Kuaidi100 pushes again later. A push that fails
// verification is answered 403 (bad signature) or 400 (bad document) and
// on is not called; other methods than POST get 405.
func (c *Client) PushHandler(on func(ctx context.Context, p Push) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeAnswer(w, http.StatusMethodNotAllowed, pushAnswer{ReturnCode: "405", Message: "POST only"})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if err := r.ParseForm(); err != nil {
			writeAnswer(w, http.StatusBadRequest, pushAnswer{ReturnCode: "400", Message: "malformed form"})
			return
		}
		p, err := c.VerifyPush(r.PostForm)
		switch {
		case errors.Is(err, notary.ErrForbidden):
			writeAnswer(w, http.StatusForbidden, pushAnswer{ReturnCode: "403", Message: "signature mismatch"})
			return
		case err != nil:
			writeAnswer(w, http.StatusBadRequest, pushAnswer{ReturnCode: "400", Message: "malformed push"})
			return
		}
		if err := on(r.Context(), p); err != nil {
			writeAnswer(w, http.StatusInternalServerError, pushAnswer{ReturnCode: "500", Message: "try again later"})
			return
		}
		writeAnswer(w, http.StatusOK, pushAnswer{Result: true, ReturnCode: "200", Message: "成功"})
	})
}

func writeAnswer(w http.ResponseWriter, status int, a pushAnswer) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(a)
}
