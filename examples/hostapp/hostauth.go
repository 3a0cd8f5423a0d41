package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/notarykit/notarykit/notary"
)

// Headers of the SIMULATED host authentication.
//
// ┌──────────────────────────────────────────────────────────────────────┐
// │ DEMO ONLY. Authenticating the platform's users is the HOST's job:   │
// │ its own login, session cookie or OAuth token, checked before any    │
// │ notarykit call. This example trusts these headers blindly so that   │
// │ curl and the tests can act as any user. Never ship this.            │
// └──────────────────────────────────────────────────────────────────────┘
//
// Values may be percent-encoded (browsers cannot send non-Latin-1 header
// values such as Chinese names).
const (
	HeaderDemoUserID     = "X-Demo-User-ID"
	HeaderDemoUserEmail  = "X-Demo-User-Email"
	HeaderDemoUserName   = "X-Demo-User-Name"
	HeaderDemoUserLocale = "X-Demo-User-Locale"
)

type userKey struct{}

// demoUser is the host's (simulated) authentication middleware: it builds
// the notary.User the SDK expects from the demo headers and refuses the
// request with 401 when there is none. A real host derives the user from
// its own session instead; the SDK then authorizes every action against it.
func (a *App) demoUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := notary.User{
			ID:     header(r, HeaderDemoUserID),
			Email:  header(r, HeaderDemoUserEmail),
			Name:   header(r, HeaderDemoUserName),
			Locale: header(r, HeaderDemoUserLocale),
		}
		if u.ID == "" || u.Email == "" {
			writeJSON(w, http.StatusUnauthorized, apiError{Error: "unauthenticated",
				Message: "demo host authentication: send " + HeaderDemoUserID + " and " + HeaderDemoUserEmail})
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
	})
}

// userFrom returns the user demoUser put in the request's context.
func userFrom(r *http.Request) notary.User {
	u, _ := r.Context().Value(userKey{}).(notary.User)
	return u
}

// header returns a trimmed, percent-decoded request header.
func header(r *http.Request, name string) string {
	v := strings.TrimSpace(r.Header.Get(name))
	if strings.Contains(v, "%") {
		if d, err := url.PathUnescape(v); err == nil {
			v = d
		}
	}
	return v
}
