package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	"github.com/notarykit/notarykit/notary"
)

// Cookies of the console. All are HttpOnly, SameSite=Strict, scoped to the
// console's prefix and Secure unless Options.InsecureCookies.
const (
	// sessionCookie holds the SDK's admin session token from
	// Admins.Login; every page checks it with Admins.Authenticate.
	sessionCookie = "notarykit_admin"
	// loginCookie holds a random nonce that binds the login form's CSRF
	// token before any session exists.
	loginCookie = "notarykit_login"
	// csrfField is the form field carrying the CSRF token.
	csrfField = "csrf"
)

// CSRF token purposes: a token for one cannot be used for the other.
const (
	csrfSession = "session"
	csrfLogin   = "login"
)

// errCSRF refuses a POST without a valid CSRF token.
var errCSRF = fmt.Errorf("%w: invalid or missing CSRF token: reload the page and try again", notary.ErrForbidden)

// csrfKey derives the CSRF tokens of the console. A token is
// HMAC-SHA256(server secret, purpose ‖ binding), the binding being the
// session token (or the login nonce): it is the same for every form of a
// session, cannot be computed without the server secret, reveals nothing
// about the session token, and dies with the session.
type csrfKey []byte

// MinSecretLen is the shortest accepted Options.Secret.
const MinSecretLen = 16

func newCSRFKey(secret []byte) (csrfKey, error) {
	if len(secret) == 0 {
		return csrfKey(randomBytes(32)), nil
	}
	if len(secret) < MinSecretLen {
		return nil, errors.New("console: Options.Secret: at least 16 bytes required")
	}
	return csrfKey(append([]byte(nil), secret...)), nil
}

// token returns the CSRF token of binding for purpose.
func (k csrfKey) token(purpose, binding string) string {
	mac := hmac.New(sha256.New, k)
	mac.Write([]byte("notarykit-console/csrf/v1\x00" + purpose + "\x00" + binding))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// valid reports, in constant time, whether got is the token of binding for
// purpose. An empty binding is never valid.
func (k csrfKey) valid(purpose, binding, got string) bool {
	if binding == "" || got == "" {
		return false
	}
	return hmac.Equal([]byte(got), []byte(k.token(purpose, binding)))
}

// setCookie sets a console cookie; maxAge < 0 deletes it, 0 makes it last
// until the browser closes (the server decides when the session expires).
func (c *Console) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     c.prefix,
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   !c.opts.InsecureCookies,
		SameSite: http.SameSiteStrictMode,
	})
}

// cookie returns the value of the named request cookie, or "".
func cookie(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

// randomBytes returns n bytes from the system's secure random source.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return b
}
