package main

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/mockpay"
	"github.com/notarykit/notarykit/notary"
)

const officeMailbox = "review@notary.example" // DemoOffice().AdminEmails

// TestEndToEnd drives SPEC's whole flow over HTTP against a host app
// running in-process: the filing (rejected, resubmitted, approved), an
// application paid through mockpay's checkout and its signed notice,
// reviewed (materials rejected once), shipped and received; a preliminary
// rejection with refund; an expiry with the evidence selected again. It
// checks states, the in-site inbox and the emails at every step.
func TestEndToEnd(t *testing.T) {
	hooks := newHookReceiver(t)
	h := start(t, hooks.register)
	hooks.setClock(h.clock.Now)
	user := h.user("acct-42", "legal@acme.example", "王经理")
	stranger := h.user("acct-99", "someone@else.example", "Stranger")

	// --- Enterprise filing (备案) ---

	var evidence page[evidenceView]
	user.call("GET", "/api/evidence", nil, 200, &evidence)
	require.Len(t, evidence.Items, DefaultEvidencePerUser)
	ev := func(i int) string { return evidence.Items[i].ID }

	// Applying without an approved filing tells the client to file first.
	user.fail("POST", "/api/applications", applyRequest{EvidenceIDs: []string{ev(0)}}, 409, "filing_required")
	user.fail("GET", "/api/me/filing", nil, 404, "not_found")

	bad := filingContent()
	bad.CreditCode = "91110000100017643A" // wrong check character
	e := user.fail("POST", "/api/filings", bad, 400, "invalid_input")
	assert.Equal(t, "credit_code", e.Field)
	user.fail("POST", "/api/filings", map[string]any{"enterprise": "typo"}, 400, "invalid_input")

	var filing filingView
	user.call("POST", "/api/filings", filingContent(), 201, &filing)
	assert.Equal(t, notary.FilingPendingReview, filing.State)
	assert.Equal(t, "王经理", filing.Owner.Name, "percent-encoded demo header decoded")
	h.waitMail(officeMailbox, notary.NoticeFilingReview)
	stranger.fail("GET", "/api/filings/"+filing.ID.String(), nil, 403, "forbidden")

	// The admin logs in with the SDK's login unit.
	(&client{h: h, hdr: http.Header{}}).fail("POST", "/api/admin/login",
		loginRequest{Email: testAdminEmail, Password: "not the password"}, 401, "unauthenticated")
	user.fail("GET", "/api/admin/filings", nil, 401, "unauthenticated")
	admin := h.admin(testAdminEmail, testAdminPassword)

	var queue page[filingView]
	admin.call("GET", "/api/admin/filings?state=PendingReview", nil, 200, &queue)
	require.Len(t, queue.Items, 1)
	assert.Equal(t, filing.ID, queue.Items[0].ID)
	admin.fail("GET", "/api/admin/filings?state=Nonsense", nil, 400, "invalid_input")

	fid := "/api/admin/filings/" + filing.ID.String()
	admin.fail("POST", fid+"/reject", rejectRequest{Version: filing.Version}, 400, "invalid_input") // reason required
	admin.call("POST", fid+"/reject", rejectRequest{Version: filing.Version, Reason: "营业执照扫描件不清晰，请重新上传"}, 200, &filing)
	assert.Equal(t, notary.FilingRejected, filing.State)
	// A second admin deciding on the version they read loses the race.
	admin.fail("POST", fid+"/approve", versionRequest{Version: filing.Version - 1}, 409, "conflict")
	admin.fail("POST", fid+"/approve", versionRequest{Version: filing.Version}, 409, "invalid_transition")
	msg := user.waitInbox(notary.NoticeFilingRejected, filing.ID)
	assert.Contains(t, msg.Body, "营业执照扫描件不清晰")
	assert.Contains(t, h.waitMail("legal@acme.example", notary.NoticeFilingRejected).Text, "营业执照扫描件不清晰")

	user.call("POST", "/api/filings/"+filing.ID.String()+"/resubmit", filingContent(), 200, &filing)
	assert.Equal(t, notary.FilingPendingReview, filing.State)
	h.eventually(func() bool { return len(h.mailTo(officeMailbox, notary.NoticeFilingReview)) == 2 }, "office told of the resubmission")
	admin.call("POST", fid+"/approve", versionRequest{Version: filing.Version}, 200, &filing)
	assert.Equal(t, notary.FilingApproved, filing.State)
	user.waitInbox(notary.NoticeFilingApproved, filing.ID)
	h.waitMail("legal@acme.example", notary.NoticeFilingApproved)
	user.call("GET", "/api/me/filing", nil, 200, &filing)
	assert.Equal(t, []notary.FilingTrigger{notary.FilingAmend}, filing.Actions)

	// --- Application: apply, pay through mockpay ---

	picked := []string{ev(0), ev(1), ev(2)}
	var app applicationView
	user.with(HeaderIdempotencyKey, "req-7f3a").call("POST", "/api/applications", applyRequest{EvidenceIDs: picked}, 201, &app)
	assert.Equal(t, notary.AwaitingPayment, app.State)
	assert.Equal(t, "600.00", app.Quote.Amount)
	assert.Equal(t, "CNY", app.Quote.Currency)
	assert.Contains(t, app.Actions, notary.AppCancel)
	var again applicationView
	user.with(HeaderIdempotencyKey, "req-7f3a").call("POST", "/api/applications", applyRequest{EvidenceIDs: picked}, 200, &again) // a replay
	assert.Equal(t, app.ID, again.ID, "same idempotency key, same application")
	assert.Equal(t, app.Payment.ID, again.Payment.ID, "and the same payment")
	user.fail("POST", "/api/applications", applyRequest{EvidenceIDs: []string{ev(0)}}, 409, "evidence_reserved")
	user.fail("POST", "/api/applications", applyRequest{EvidenceIDs: []string{"ev-not-mine"}}, 400, "invalid_input")
	stranger.fail("GET", "/api/applications/"+app.ID.String(), nil, 403, "forbidden")
	user.call("GET", "/api/evidence", nil, 200, &evidence)
	require.NotNil(t, evidence.Items[0].ReservedBy)
	assert.Equal(t, app.ID, *evidence.Items[0].ReservedBy)

	// A forged payment notice is refused and changes nothing.
	forged := `{"id":"evt_forged","type":"payment.succeeded","payment_id":"` + app.Payment.ID + `","application_id":"` + app.ID.String() +
		`","status":"succeeded","amount":"600.00","currency":"CNY","time":"2026-11-30T09:00:00Z"}`
	hdr := mockpay.SignedHeaders([]byte("not the secret"), h.clock.Now(), "nonce-1", []byte(forged))
	res := h.post("/api/payments/notify", hdr, "application/json", forged)
	assert.Equal(t, 401, res.StatusCode)

	h.clock.Advance(3 * time.Minute)
	h.pay(app.Payment.CheckoutURL, "600.00 CNY")
	app = user.waitState(app.ID, notary.PendingPreliminaryReview)
	assert.Equal(t, notary.PaymentSucceeded, app.Payment.Status)
	user.waitInbox(notary.NoticePaymentReceived, app.ID)
	h.waitMail(officeMailbox, notary.NoticePreliminaryReview)
	deliveries := h.app.MockPay().Deliveries()
	require.NotEmpty(t, deliveries)
	assert.True(t, deliveries[len(deliveries)-1].OK(), "the app accepted the signed notice")

	// --- Reviews, materials, certificate ---

	var apps page[applicationView]
	admin.call("GET", "/api/admin/applications?state=PendingPreliminaryReview", nil, 200, &apps)
	require.Len(t, apps.Items, 1)
	aid := "/api/admin/applications/" + app.ID.String()
	admin.call("POST", aid+"/preliminary/approve", versionRequest{Version: app.Version}, 200, &app)
	assert.Equal(t, notary.AwaitingMaterials, app.State)
	notice := h.waitMail("legal@acme.example", notary.NoticePreliminaryApproved)
	assert.Contains(t, notice.Text, DemoOffice().MailingAddress, "初审通过告知书 names the mailing address")
	assert.Contains(t, notice.Text, DemoOffice().Materials[0], "and the paper materials")

	uid := "/api/applications/" + app.ID.String()
	user.fail("POST", uid+"/materials", shipmentRequest{Carrier: "SF", TrackingNumber: "12"}, 400, "invalid_input")
	// A number without a carrier: a plain digit run fits several, and the
	// answer lists them for the user to choose; a prefixed one names its own.
	ambiguous := user.fail("POST", uid+"/materials", shipmentRequest{TrackingNumber: "7312 3456 7890"}, 400, "invalid_input")
	assert.Equal(t, "carrier", ambiguous.Field)
	require.Len(t, ambiguous.Candidates, 3)
	assert.Equal(t, carrierView{Code: "ZTO", NameZh: "中通快递", NameEn: "ZTO Express"}, ambiguous.Candidates[1])
	user.call("POST", uid+"/materials", shipmentRequest{TrackingNumber: "SF 1234 5678 9012"}, 200, &app)
	assert.Equal(t, notary.PendingFinalReview, app.State)
	assert.Equal(t, "SF", app.Materials.Carrier)
	assert.Equal(t, "SF123456789012", app.Materials.TrackingNumber)
	assert.Contains(t, h.waitMail(officeMailbox, notary.NoticeFinalReview).Text, "SF123456789012")

	admin.call("POST", aid+"/final/reject", rejectRequest{Version: app.Version, Reason: "公证申请表缺少法定代表人签字"}, 200, &app)
	assert.Equal(t, notary.MaterialsRejected, app.State)
	assert.Contains(t, h.waitMail("legal@acme.example", notary.NoticeFinalRejected).Text, "公证申请表缺少法定代表人签字")

	user.call("POST", uid+"/materials", shipmentRequest{Carrier: "EMS", TrackingNumber: "EE123456785CN"}, 200, &app)
	assert.Equal(t, notary.PendingFinalReview, app.State)
	assert.Equal(t, 2, app.MaterialsAttempts)

	// Without a tracking service, an admin reports deliveries to the manual
	// tracker; the tracker records them and the office is told.
	admin.call("POST", aid+"/delivered", nil, 200, &app)
	require.NotNil(t, app.Materials.Tracking)
	assert.Equal(t, notary.TrackingDelivered, app.Materials.Tracking.State)
	assert.Contains(t, h.waitMail(officeMailbox, notary.NoticeMaterialsArrived).Text, "EE123456785CN")

	admin.fail("POST", aid+"/final/approve", finalApproveRequest{Version: app.Version}, 400, "invalid_input")
	admin.call("POST", aid+"/final/approve", finalApproveRequest{Version: app.Version, CertificateNumber: "（2026）深示证经字第 01024 号"}, 200, &app)
	assert.Equal(t, notary.CertificateInProduction, app.State)
	user.waitInbox(notary.NoticeInProduction, app.ID)

	admin.call("POST", aid+"/ship", shipmentRequest{Version: app.Version, Carrier: "SF", TrackingNumber: "SF9876543210987"}, 200, &app)
	assert.Equal(t, notary.CertificateShipped, app.State)
	assert.Contains(t, h.waitMail("legal@acme.example", notary.NoticeShipped).Text, "SF9876543210987")
	admin.call("POST", aid+"/delivered", nil, 200, &app)
	assert.Equal(t, notary.TrackingDelivered, app.Certificate.Tracking.State)
	var seen applicationView
	user.call("GET", uid, nil, 200, &seen)
	assert.Equal(t, notary.TrackingDelivered, seen.Certificate.Tracking.State, "the user sees it too")
	assert.Contains(t, user.waitInbox(notary.NoticeCertificateDelivered, app.ID).Body, "SF9876543210987")

	user.call("POST", uid+"/confirm-receipt", nil, 200, &app)
	assert.Equal(t, notary.Completed, app.State)
	user.waitInbox(notary.NoticeCompleted, app.ID)
	h.waitMail(officeMailbox, notary.NoticeReceiptConfirmed)
	user.fail("POST", uid+"/confirm-receipt", nil, 409, "invalid_transition")

	var trail auditView
	admin.call("GET", "/api/admin/records/"+app.ID.String()+"/audit", nil, 200, &trail)
	assert.True(t, trail.Verified, trail.VerifyError)
	var triggers []string
	for _, e := range trail.Events {
		triggers = append(triggers, e.Trigger)
	}
	assert.Equal(t, []string{"apply", "payment_succeeded", "approve_preliminary", "submit_materials", "reject_final",
		"submit_materials", "materials_delivered", "approve_final", "ship", "certificate_delivered", "confirm_receipt"}, triggers)

	// --- A preliminary rejection with refund ---

	var second applicationView
	user.call("POST", "/api/applications", applyRequest{EvidenceIDs: []string{ev(0)}}, 201, &second) // ev(0) is free again
	assert.Equal(t, "300.00", second.Quote.Amount, "minimum charge")
	h.pay(second.Payment.CheckoutURL, "300.00 CNY")
	second = user.waitState(second.ID, notary.PendingPreliminaryReview)
	admin.call("POST", "/api/admin/applications/"+second.ID.String()+"/preliminary/reject",
		rejectRequest{Version: second.Version, Reason: "证据与申请事项无关"}, 200, &second)
	assert.Equal(t, notary.PreliminaryRejected, second.State)
	require.NotNil(t, second.Refund, "refunded in full per the office's policy")
	assert.Equal(t, "300.00", second.Refund.Amount)
	refunds := h.app.MockPay().Refunds(second.Payment.ID)
	require.Len(t, refunds, 1)
	assert.Equal(t, "300.00", refunds[0].Amount.StringFixed(2))
	assert.Contains(t, user.waitInbox(notary.NoticePreliminaryRejected, second.ID).Body, "证据与申请事项无关")
	user.waitInbox(notary.NoticeRefunded, second.ID)
	h.waitMail("legal@acme.example", notary.NoticeRefunded)
	user.call("GET", "/api/evidence", nil, 200, &evidence)
	assert.Nil(t, evidence.Items[0].ReservedBy, "evidence released")

	// --- An expiry: the evidence can be selected again ---

	var third applicationView
	user.call("POST", "/api/applications", applyRequest{EvidenceIDs: []string{ev(5)}}, 201, &third)
	h.clock.Advance(31 * time.Minute)
	_, err := h.app.Sweep(t.Context())
	require.NoError(t, err)
	third = user.waitState(third.ID, notary.Cancelled)
	assert.Equal(t, notary.PaymentExpired, third.Payment.Status)
	user.waitInbox(notary.NoticeCancelled, third.ID)
	var fourth applicationView
	user.call("POST", "/api/applications", applyRequest{EvidenceIDs: []string{ev(5)}}, 201, &fourth)
	assert.Equal(t, notary.AwaitingPayment, fourth.State)
	user.call("POST", "/api/applications/"+fourth.ID.String()+"/cancel", nil, 200, &fourth)
	assert.Equal(t, notary.Cancelled, fourth.State)

	var mine page[applicationView]
	user.call("GET", "/api/applications?limit=2", nil, 200, &mine)
	require.Len(t, mine.Items, 2)
	require.NotEmpty(t, mine.NextCursor)
	var rest page[applicationView]
	user.call("GET", "/api/applications?after="+url.QueryEscape(mine.NextCursor), nil, 200, &rest)
	assert.Len(t, rest.Items, 2)
	assert.Equal(t, fourth.ID, rest.Items[1].ID, "keyset pagination, oldest first")

	// --- The inbox ---

	h.eventually(func() bool {
		var p page[inboxMessageView]
		return user.get("/api/inbox?limit=100", &p) == nil && len(p.Items) > 0 && p.Items[0].RecordID == fourth.ID
	}, "the last cancellation reached the inbox")
	msgs := user.inbox()
	var unread map[string]int
	user.call("GET", "/api/inbox/unread-count", nil, 200, &unread)
	assert.Equal(t, len(msgs), unread["unread"])
	user.call("POST", "/api/inbox/read", markReadRequest{IDs: []uuid.UUID{msgs[0].ID}}, 200, &unread)
	assert.Equal(t, len(msgs)-1, unread["unread"])
	user.call("POST", "/api/inbox/read", markReadRequest{}, 200, &unread)
	assert.Equal(t, 0, unread["unread"])
	assert.Empty(t, stranger.inbox(), "a user sees only their own inbox")

	// --- The host's webhook receiver got every transition once, in order ---
	hooks.checkAllArrived(t, h)
}

// post sends a raw request to the app.
func (h *harness) post(path string, hdr http.Header, contentType, body string) *http.Response {
	h.t.Helper()
	req, err := http.NewRequest("POST", h.base+path, strings.NewReader(body))
	require.NoError(h.t, err)
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	res, err := h.http.Do(req)
	require.NoError(h.t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// pay pays on mockpay's checkout page as a payer would: open the page,
// check the amount, post its "Pay" form, follow the redirect back.
func (h *harness) pay(checkoutURL, amount string) {
	h.t.Helper()
	require.True(h.t, strings.HasPrefix(checkoutURL, h.base+"/mockpay/checkout/"), checkoutURL)
	res, err := h.http.Get(checkoutURL)
	require.NoError(h.t, err)
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(h.t, 200, res.StatusCode)
	require.Contains(h.t, string(page), amount)

	res = h.post(strings.TrimPrefix(checkoutURL, h.base)+"/pay", nil, "application/x-www-form-urlencoded", "action=pay")
	require.Equal(h.t, http.StatusSeeOther, res.StatusCode)
	back, err := res.Location()
	require.NoError(h.t, err)
	res, err = h.http.Get(back.String())
	require.NoError(h.t, err)
	page, _ = io.ReadAll(res.Body)
	res.Body.Close()
	require.Contains(h.t, string(page), "succeeded")
}

// filingContent is a valid enterprise filing.
func filingContent() notary.FilingContent {
	doc := func(name string) notary.Document {
		sum := sha256.Sum256([]byte(name))
		return notary.Document{URI: "https://files.host.example/acme/" + name, MediaType: "application/pdf",
			Size: 482133, SHA256: hex.EncodeToString(sum[:])}
	}
	return notary.FilingContent{
		EnterpriseName:  "深圳市艾克米科技有限公司",
		CreditCode:      "91110000100017643K",
		BusinessLicense: doc("business-licence.pdf"),
		LegalRep:        notary.Person{Name: "张三", IDType: notary.IDResident, IDNumber: "11010519491231002X"},
		LegalRepID:      doc("legal-rep-id.pdf"),
		ContactAddress:  "深圳市南山区粤海街道科技南路 8 号",
		ContactEmail:    "legal@acme.example",
		ContactPhone:    "13800138000",
	}
}
