package paymenthttp

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/notarykit/notarykit/notary"
)

// DefaultMaxBodyBytes is the default limit on a notification body (64 KiB);
// real provider notifications are a few hundred bytes.
const DefaultMaxBodyBytes int64 = 64 << 10

// Option configures [Handler].
type Option func(*config)

type config struct {
	log     *slog.Logger
	maxBody int64
}

// WithLogger sets the logger the handler reports refused and failed
// notifications to. The default is slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}

// WithMaxBodyBytes sets the largest body accepted; larger requests are
// answered 413. Values <= 0 keep [DefaultMaxBodyBytes].
func WithMaxBodyBytes(n int64) Option {
	return func(c *config) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// Handler returns the payment-notification endpoint for apps. It is safe
// for concurrent use; see the package documentation for the status codes.
func Handler(apps *notary.Applications, opts ...Option) http.Handler {
	c := config{log: slog.Default(), maxBody: DefaultMaxBodyBytes}
	for _, o := range opts {
		o(&c)
	}
	return &handler{apps: apps, cfg: c}
}

type handler struct {
	apps *notary.Applications
	cfg  config
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		reply(w, http.StatusMethodNotAllowed, "method_not_allowed")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.cfg.log.WarnContext(ctx, "paymenthttp: notification body too large", "limit", tooBig.Limit, "remote", r.RemoteAddr)
			reply(w, http.StatusRequestEntityTooLarge, "body_too_large")
			return
		}
		h.cfg.log.WarnContext(ctx, "paymenthttp: reading notification body", "err", err, "remote", r.RemoteAddr)
		reply(w, http.StatusBadRequest, "unreadable_body")
		return
	}
	app, err := h.apps.HandlePaymentNotification(ctx, r.Header, body)
	if err != nil {
		status, code := classify(err)
		level := slog.LevelWarn
		if status >= 500 && status != http.StatusServiceUnavailable {
			level = slog.LevelError
		}
		h.cfg.log.Log(ctx, level, "paymenthttp: notification not accepted", "status", status, "err", err, "remote", r.RemoteAddr)
		reply(w, status, code)
		return
	}
	h.cfg.log.InfoContext(ctx, "paymenthttp: notification accepted", "application", app.ID, "state", app.State, "payment", app.Payment.ID)
	reply(w, http.StatusOK, "")
}

// classify maps an error of HandlePaymentNotification to a status code and
// a short machine-readable code.
func classify(err error) (int, string) {
	switch {
	case errors.Is(err, notary.ErrForbidden), errors.Is(err, notary.ErrUnauthenticated):
		return http.StatusUnauthorized, "unauthorized"
	case errors.Is(err, notary.ErrInvalidInput):
		return http.StatusBadRequest, "invalid"
	case errors.Is(err, notary.ErrNotFound):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, notary.ErrUnavailable):
		// The provider delivers the notice again later, as for any
		// failure; it is only not a fault to alert on.
		return http.StatusServiceUnavailable, "unavailable"
	}
	return http.StatusInternalServerError, "internal"
}

type response struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

func reply(w http.ResponseWriter, status int, code string) {
	res := response{Status: "ok"}
	if code != "" {
		res = response{Status: "error", Error: code}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(res)
}
