package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/mockpay"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// TestTwoInstancesShareOneProvider runs two host app instances on one
// SQLite database with one standalone mockpay, as a deployment behind a
// load balancer would: the provider notifies instance A of a payment made
// through instance B, B refunds it, and a notice replayed to B after A
// accepted it is refused.
func TestTwoInstancesShareOneProvider(t *testing.T) {
	clock := notarytest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	secret, key := []byte("standalone-secret"), "standalone-key"
	prov := mockpay.New(mockpay.Options{Secret: secret, APIKey: key, Clock: clock.Now,
		RetrySchedule: []time.Duration{10 * time.Millisecond, 50 * time.Millisecond, 200 * time.Millisecond},
		Logger:        slog.New(slog.DiscardHandler)})
	provSrv := httptest.NewServer(prov.Handler())
	t.Cleanup(provSrv.Close)
	t.Cleanup(func() { prov.Close() })
	prov.SetBaseURL(provSrv.URL)

	db := filepath.Join(t.TempDir(), "shared.db")
	shared := func(c *Config) {
		c.SQLitePath, c.Clock = db, clock
		c.MockPayURL, c.MockPaySecret, c.MockPayAPIKey = provSrv.URL, secret, key
	}
	a, b := start(t, shared), start(t, shared)
	require.Nil(t, a.app.MockPay(), "no provider in the instance")
	prov.SetNotifyURL(a.base + "/api/payments/notify")

	user := b.user("acct-7", "legal@acme.example", "王经理")
	admin := b.admin(testAdminEmail, testAdminPassword)
	_, evidence := approvedFiling(user, admin)

	var app applicationView
	user.call("POST", "/api/applications", applyRequest{EvidenceIDs: []string{evidence[0].ID}}, 201, &app)
	require.Contains(t, app.Payment.CheckoutURL, provSrv.URL+"/checkout/", "the checkout is the standalone provider's")
	res, err := http.PostForm(app.Payment.CheckoutURL+"/pay", nil)
	require.NoError(t, err)
	res.Body.Close()
	app = user.waitState(app.ID, notary.PendingPreliminaryReview) // A applied the notice; B sees it

	admin.call("POST", "/api/admin/applications/"+app.ID.String()+"/preliminary/reject",
		rejectRequest{Version: app.Version, Reason: "证据与申请事项无关"}, 200, &app)
	require.NotNil(t, app.Refund, "B refunds a payment A was told of")
	refunds := prov.Refunds(app.Payment.ID)
	require.Len(t, refunds, 1)
	assert.Equal(t, "300.00", refunds[0].Amount.StringFixed(2))

	// A genuine notice accepted by A, then replayed to B: refused, since
	// the replay memory is the shared store.
	body, err := json.Marshal(mockpay.Notification{ID: "evt_replayed", Type: "payment.succeeded", PaymentID: app.Payment.ID,
		ApplicationID: app.ID, Status: notary.PaymentSucceeded, Amount: "300.00", Currency: "CNY", Time: clock.Now()})
	require.NoError(t, err)
	hdr := mockpay.SignedHeaders(secret, clock.Now(), "", body)
	post := func(h *harness) int {
		req, err := http.NewRequest(http.MethodPost, h.base+"/api/payments/notify", bytes.NewReader(body))
		require.NoError(t, err)
		req.Header = hdr.Clone()
		res, err := h.http.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	assert.Equal(t, http.StatusOK, post(a))
	assert.Equal(t, http.StatusUnauthorized, post(b), "replayed to another instance")
	assert.Equal(t, http.StatusUnauthorized, post(a), "replayed to the same instance")
}

// TestCancelThenPayAtCheckoutIsRefused cancels an application over the API
// and then tries to pay its order at mockpay's checkout, as a user with the
// page still open would: refused, nothing charged.
func TestCancelThenPayAtCheckoutIsRefused(t *testing.T) {
	h := start(t)
	user := h.user("acct-5", "legal@acme.example", "王经理")
	admin := h.admin(testAdminEmail, testAdminPassword)
	_, evidence := approvedFiling(user, admin)

	var app applicationView
	user.call("POST", "/api/applications", applyRequest{EvidenceIDs: []string{evidence[0].ID}}, 201, &app)
	h.clock.Advance(mockpay.DefaultMinCloseAge) // past the provider's no-close window
	user.call("POST", "/api/applications/"+app.ID.String()+"/cancel", nil, 200, &app)
	require.Equal(t, notary.Cancelled, app.State)
	assert.Equal(t, notary.PaymentCancelled, app.Payment.Status, "the order is closed")

	page := func() string {
		res, err := h.http.Get(app.Payment.CheckoutURL)
		require.NoError(t, err)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return string(b)
	}
	assert.Contains(t, page(), "closed and can no longer be paid")
	assert.NotContains(t, page(), `value="pay"`, "no Pay button")
	res := h.post(strings.TrimPrefix(app.Payment.CheckoutURL, h.base)+"/pay", nil, "application/x-www-form-urlencoded", "action=pay")
	assert.Equal(t, http.StatusConflict, res.StatusCode)
	p, ok := h.app.MockPay().Payment(app.Payment.ID)
	require.True(t, ok)
	assert.Equal(t, notary.PaymentCancelled, p.Status, "nothing charged")
	assert.True(t, p.PaidAt.IsZero())
	assert.Empty(t, h.app.MockPay().Refunds(app.Payment.ID))
	user.call("GET", "/api/applications/"+app.ID.String(), nil, 200, &app)
	assert.Equal(t, notary.Cancelled, app.State)
}
