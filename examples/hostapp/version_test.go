package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// TestDecisionsNeedTheVersion checks that every decision of the JSON API
// and of the review pages refuses a request without the version the admin
// saw with a 400 naming "version", and changes nothing.
func TestDecisionsNeedTheVersion(t *testing.T) {
	h := start(t)
	user := h.user("acct-9", "nine@acme.example", "Nine")
	var filing filingView
	user.call("POST", "/api/filings", filingContent(), 201, &filing)
	admin := h.admin(testAdminEmail, testAdminPassword)
	ten := h.user("acct-10", "ten@acme.example", "Ten")
	var other filingView
	ten.call("POST", "/api/filings", filingContent(), 201, &other)
	admin.call("POST", "/api/admin/filings/"+other.ID.String()+"/approve", versionRequest{Version: other.Version}, 200, &other)
	var evidence page[evidenceView]
	ten.call("GET", "/api/evidence", nil, 200, &evidence)
	var app applicationView
	ten.call("POST", "/api/applications", applyRequest{EvidenceIDs: []string{evidence.Items[0].ID}}, 201, &app)
	h.pay(app.Payment.CheckoutURL, app.Quote.Amount+" "+app.Quote.Currency)
	app = ten.waitState(app.ID, notary.PendingPreliminaryReview)

	fid := "/api/admin/filings/" + filing.ID.String()
	aid := "/api/admin/applications/" + app.ID.String()
	for _, tc := range []struct{ path, body string }{
		{fid + "/approve", `{}`},
		{fid + "/approve", `{"version":0}`},
		{fid + "/approve", `{"version":-1}`},
		{fid + "/approve", `{"version":null}`},
		{fid + "/reject", `{"reason":"blurred"}`},
		{aid + "/preliminary/approve", `{}`},
		{aid + "/preliminary/reject", `{"reason":"blurred"}`},
		{aid + "/final/approve", `{"certificate_number":"NK-1"}`},
		{aid + "/final/reject", `{"reason":"blurred"}`},
		{aid + "/ship", `{"carrier":"EMS","tracking_number":"EE123456785CN"}`},
	} {
		e := admin.fail("POST", tc.path, json.RawMessage(tc.body), 400, "invalid_input")
		assert.Equal(t, "version", e.Field, "%s %s", tc.path, tc.body)
	}

	f := h.forms()
	f.login()
	for _, version := range []string{"", "0", "x"} {
		path := "/admin/filings/" + filing.ID.String()
		f.do("GET", path, nil)
		res, page := f.do("POST", path+"/approve", url.Values{"csrf": {f.csrf}, "version": {version}})
		assert.Equal(t, http.StatusBadRequest, res.StatusCode, "version %q", version)
		assert.Contains(t, page, "version", "the page says what was wrong")
		path = "/admin/applications/" + app.ID.String()
		f.do("GET", path, nil)
		res, _ = f.do("POST", path+"/approve-preliminary", url.Values{"csrf": {f.csrf}, "version": {version}})
		assert.Equal(t, http.StatusBadRequest, res.StatusCode, "version %q", version)
	}

	var now filingView
	admin.call("GET", fid, nil, 200, &now)
	assert.Equal(t, filing.Version, now.Version, "the filing did not change")
	assert.Equal(t, notary.FilingPendingReview, now.State)
	var nowApp applicationView
	admin.call("GET", aid, nil, 200, &nowApp)
	assert.Equal(t, app.Version, nowApp.Version, "the application did not change")
	require.Equal(t, notary.PendingPreliminaryReview, nowApp.State)
}
