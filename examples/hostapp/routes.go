package main

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment/paymenthttp"
)

// errNoRoute answers API paths that match no route.
var errNoRoute = fmt.Errorf("%w: no such API route", notary.ErrNotFound)

// errMethod answers a known API path asked with a method it does not
// serve (405, with an Allow header).
var errMethod = errors.New("method not allowed")

// apiFallback is the pattern that answers the API paths and methods no
// other route serves.
const apiFallback = "/api/"

// methods are the request methods a route may serve.
var methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// allowedMethods asks mux which methods it serves r's path with, other
// than through the API fallback; the mux's own routes stay the one list.
func allowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var allow []string
	for _, m := range methods {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != apiFallback {
			allow = append(allow, m)
		}
	}
	return allow
}

// routes builds the app's handler:
//
//	/api/...                 the user side of the JSON API (api.go)
//	/api/admin/...           the admin side of the JSON API (api_admin.go)
//	GET /api/host/events     the host platform's catch-up on host events (hostapi.go)
//	POST /api/payments/notify the provider's signed payment notices (paymenthttp)
//	/admin/...               the review console (adapters/console)
//	/mockpay/...             the in-process payment provider's checkout and API
//	/log/..., .../bundle     the transparency log (translog.go)
//	GET /livez, /readyz      liveness; readiness (the store answers, its schema is current)
//	GET /metrics             Prometheus metrics (ops.go)
func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	a.userRoutes(mux)
	a.adminRoutes(mux)
	a.hostRoutes(mux)
	mux.Handle("POST /api/payments/notify", paymenthttp.Handler(a.svc.Applications,
		paymenthttp.WithLogger(a.log.With("component", "paymenthttp"))))
	mux.Handle("/admin/", a.console)
	a.logRoutes(mux)
	if a.pay != nil {
		mux.Handle("/mockpay/", http.StripPrefix("/mockpay", a.pay.Handler()))
	}
	a.opsRoutes(mux)
	mux.Handle(apiFallback, a.api(func(w http.ResponseWriter, r *http.Request) error {
		if allow := allowedMethods(mux, r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return fmt.Errorf("%w: %s %s: use %s", errMethod, r.Method, r.URL.Path, strings.Join(allow, " or "))
		}
		return errNoRoute
	}))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/", http.StatusSeeOther)
	})
	return logRequests(a.log, mux)
}
