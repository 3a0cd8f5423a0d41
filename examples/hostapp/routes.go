package main

import (
	"fmt"
	"net/http"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment/paymenthttp"
)

// errNoRoute answers API paths that match no route.
var errNoRoute = fmt.Errorf("%w: no such API route", notary.ErrNotFound)

// routes builds the app's handler:
//
//	/api/...                 the user side of the JSON API (api.go)
//	/api/admin/...           the admin side of the JSON API (api_admin.go)
//	POST /api/payments/notify the provider's signed payment notices (paymenthttp)
//	/admin/...               the admin review pages (admin_pages.go)
//	/mockpay/...             the in-process payment provider's checkout and API
//	GET /healthz             liveness
func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	a.userRoutes(mux)
	a.adminRoutes(mux)
	mux.Handle("POST /api/payments/notify", paymenthttp.Handler(a.svc.Applications,
		paymenthttp.WithLogger(a.log.With("component", "paymenthttp"))))
	a.pageRoutes(mux)
	if a.pay != nil {
		mux.Handle("/mockpay/", http.StripPrefix("/mockpay", a.pay.Handler()))
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.Handle("/api/", a.api(func(http.ResponseWriter, *http.Request) error {
		return errNoRoute
	}))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/", http.StatusSeeOther)
	})
	return logRequests(a.log, mux)
}
