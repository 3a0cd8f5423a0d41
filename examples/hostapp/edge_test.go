package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// edge is a running app with a user, an admin, a filing under review and
// an application in each state the edge tests post to.
type edge struct {
	h                  *harness
	user, admin        *client
	filing             filingView // alice's, PendingReview
	paid, materials    applicationView
	pendingFiling, aid string
}

func newEdge(t *testing.T) *edge {
	h := start(t)
	e := &edge{h: h, user: h.user("acct-e", "e@acme.example", "E"), admin: h.admin(testAdminEmail, testAdminPassword)}
	e.user.call("POST", "/api/filings", filingContent(), 201, &e.filing)
	e.admin.call("POST", "/api/admin/filings/"+e.filing.ID.String()+"/approve", versionRequest{Version: e.filing.Version}, 200, &e.filing)
	var evidence page[evidenceView]
	e.user.call("GET", "/api/evidence", nil, 200, &evidence)
	for i, app := range []*applicationView{&e.paid, &e.materials} {
		e.user.call("POST", "/api/applications", applyRequest{EvidenceIDs: []string{evidence.Items[i].ID}}, 201, app)
		h.pay(app.Payment.CheckoutURL, app.Quote.Amount+" "+app.Quote.Currency)
		*app = e.user.waitState(app.ID, notary.PendingPreliminaryReview)
	}
	e.admin.call("POST", "/api/admin/applications/"+e.materials.ID.String()+"/preliminary/approve",
		versionRequest{Version: e.materials.Version}, 200, &e.materials)
	var other filingView
	h.user("acct-f", "f@acme.example", "F").call("POST", "/api/filings", filingContent(), 201, &other)
	e.pendingFiling = "/api/admin/filings/" + other.ID.String()
	e.aid = "/api/admin/applications/" + e.paid.ID.String()
	return e
}

// state is what the edge's records look like, to check that a refused
// request changed nothing.
func (e *edge) state() []any {
	var f filingView
	e.admin.call("GET", e.pendingFiling, nil, 200, &f)
	var a, m applicationView
	e.admin.call("GET", e.aid, nil, 200, &a)
	e.user.call("GET", "/api/applications/"+e.materials.ID.String(), nil, 200, &m)
	var apps page[applicationView]
	e.user.call("GET", "/api/applications", nil, 200, &apps)
	return []any{f.Version, f.State, a.Version, a.State, m.Version, m.State, len(apps.Items)}
}

// goInternals are words of Go's own error messages that must not reach
// a client.
var goInternals = []string{"Go ", "struct", "main.", "notary.", "int64", "uuid.UUID", "json:", "jsontext", "unmarshal"}

func assertClientTerms(t *testing.T, e apiError) {
	t.Helper()
	for _, w := range goInternals {
		assert.NotContains(t, e.Message, w, "the message speaks the client's terms: %q", e.Message)
	}
}

// TestInvalidUTF8IsA400 sends invalid UTF-8, raw or as a lone surrogate
// escape, in each request field: every one answers 400 naming the field,
// and nothing is stored.
func TestInvalidUTF8IsA400(t *testing.T) {
	e := newEdge(t)
	before := e.state()
	bads := map[string]string{"raw bytes": "a\xff\xfeb", "lone low surrogate": `a\udc00b`, "lone high surrogate": `a\ud83db`}
	filingWith := func(field, bad string) string {
		c := filingContent()
		b, err := json.Marshal(c)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		out, err := json.Marshal(m)
		require.NoError(t, err)
		// Put the bad text in place of the field's value, byte for byte.
		s := string(out)
		old := `"` + field + `":"` + m[field].(string) + `"`
		require.Contains(t, s, old)
		return strings.Replace(s, old, `"`+field+`":"`+bad+`"`, 1)
	}
	for badName, bad := range bads {
		for _, tc := range []struct {
			name, method, path string
			as                 *client
			body               string
			field              string
		}{
			{"filing name", "POST", "/api/filings", e.h.user("acct-g", "g@acme.example", "G"), filingWith("enterprise_name", bad), "enterprise_name"},
			{"filing address", "POST", "/api/filings", e.h.user("acct-g", "g@acme.example", "G"), filingWith("contact_address", bad), "contact_address"},
			{"legal rep", "POST", "/api/filings", e.h.user("acct-g", "g@acme.example", "G"),
				strings.Replace(filingWith("contact_email", "x@example.com"), `"name":"`, `"name":"`+bad, 1), "legal_rep.name"},
			{"evidence", "POST", "/api/applications", e.user, `{"evidence_ids":["` + bad + `"]}`, "evidence_ids[0]"},
			{"materials", "POST", "/api/applications/" + e.materials.ID.String() + "/materials", e.user,
				`{"carrier":"SF","tracking_number":"` + bad + `"}`, "tracking_number"},
			{"filing reason", "POST", e.pendingFiling + "/reject", e.admin, `{"version":1,"reason":"` + bad + `"}`, "reason"},
			{"preliminary reason", "POST", e.aid + "/preliminary/reject", e.admin,
				`{"version":` + itoa(e.paid.Version) + `,"reason":"` + bad + `"}`, "reason"},
			{"login", "POST", "/api/admin/login", &client{h: e.h, hdr: http.Header{}}, `{"email":"` + bad + `","password":"x"}`, "email"},
			{"mark read", "POST", "/api/inbox/read", e.user, `{"ids":["` + bad + `"]}`, "ids[0]"},
		} {
			got := tc.as.fail(tc.method, tc.path, rawBody(tc.body), 400, "invalid_input")
			assert.Equal(t, tc.field, got.Field, "%s, %s: %s", tc.name, badName, got.Message)
			assertClientTerms(t, got)
		}
	}
	// The host's own (demo) authentication headers reach the SDK too.
	bad := e.h.user("acct-h", "h@acme.example", "").with(HeaderDemoUserName, "%FF%FE")
	got := bad.fail("POST", "/api/filings", filingContent(), 400, "invalid_input")
	assert.Equal(t, "user.name", got.Field)

	require.Equal(t, before, e.state(), "nothing changed")
	var mine apiError
	raw := e.h.user("acct-g", "g@acme.example", "G").send("GET", "/api/me/filing", nil, 404)
	require.NoError(t, json.Unmarshal(raw, &mine))
}

// TestBadJSONNamesTheField sends bodies that are malformed, of the wrong
// type or with unknown fields: each answers 400 naming the field as the
// client sent it and what was wrong, in JSON's terms, not Go's.
func TestBadJSONNamesTheField(t *testing.T) {
	e := newEdge(t)
	before := e.state()
	g := e.h.user("acct-g", "g@acme.example", "G")
	for _, tc := range []struct {
		name       string
		as         *client
		path, body string
		field      string
		reason     string // a part of the message
	}{
		{"string for an integer", e.admin, e.pendingFiling + "/approve", `{"version":"1"}`, "version", "must be a JSON integer, not string"},
		{"fraction", e.admin, e.pendingFiling + "/approve", `{"version":1.5}`, "version", "integer"},
		{"number for a string", g, "/api/filings", `{"enterprise_name":7}`, "enterprise_name", "must be a JSON string, not number"},
		{"nested wrong type", g, "/api/filings", `{"legal_rep":{"name":["x"]}}`, "legal_rep.name", "must be a JSON string, not array"},
		{"object for an array", e.user, "/api/applications", `{"evidence_ids":{}}`, "evidence_ids", "must be a JSON array, not object"},
		{"unknown field", e.admin, e.pendingFiling + "/approve", `{"version":1,"force":true}`, "force", "unknown field"},
		{"nested unknown field", g, "/api/filings", `{"agent":{"person":{"nam":"x"}}}`, "agent.person.nam", "unknown field"},
		{"field in the wrong case", e.admin, e.pendingFiling + "/approve", `{"Version":1}`, "Version", "unknown field"},
		{"duplicate field", e.admin, e.pendingFiling + "/approve", `{"version":1,"version":2}`, "version", "duplicate"},
		{"truncated", e.admin, e.pendingFiling + "/approve", `{"version":1`, "body", "malformed JSON at byte offset 12"},
		{"trailing data", e.admin, e.pendingFiling + "/approve", `{"version":1} x`, "body", "malformed JSON at byte offset 14"},
		{"empty", e.admin, e.pendingFiling + "/approve", ``, "body", "malformed JSON"},
		{"array for the body", e.admin, e.pendingFiling + "/approve", `[]`, "body", "must be a JSON object, not array"},
		{"not a UUID", e.user, "/api/inbox/read", `{"ids":["x"]}`, "ids[0]", "invalid value"},
		{"too big", e.admin, e.pendingFiling + "/reject", `{"version":1,"reason":"` + strings.Repeat("x", maxJSONBody) + `"}`, "body", "larger than"},
	} {
		got := tc.as.fail("POST", tc.path, rawBody(tc.body), 400, "invalid_input")
		assert.Equal(t, tc.field, got.Field, "%s: %s", tc.name, got.Message)
		assert.Contains(t, got.Message, tc.reason, tc.name)
		assertClientTerms(t, got)
	}
	require.Equal(t, before, e.state(), "nothing changed")
}

// TestWrongMethodIs405 asks known API paths with methods they do not
// serve: 405 with the methods they do serve in Allow, not 404.
func TestWrongMethodIs405(t *testing.T) {
	h := start(t)
	user := h.user("acct-g", "g@acme.example", "G")
	id := "6f1c2d3e-4b5a-4c6d-8e7f-000000000001"
	for _, tc := range []struct {
		method, path string
		allow        string // "" for an unknown path: 404
	}{
		{"PUT", "/api/filings", "POST"},
		{"GET", "/api/filings", "POST"},
		{"DELETE", "/api/filings/" + id, "GET, HEAD"},
		{"PATCH", "/api/applications", "GET, HEAD, POST"},
		{"GET", "/api/applications/" + id + "/cancel", "POST"},
		{"GET", "/api/admin/login", "POST"},
		{"DELETE", "/api/admin/filings/" + id + "/approve", "POST"},
		{"POST", "/api/inbox", "GET, HEAD"},
		{"GET", "/api/payments/notify", "POST"},
		{"GET", "/api/nothing-here", ""},
		{"PUT", "/api/filings/" + id + "/nothing", ""},
	} {
		req, err := http.NewRequest(tc.method, h.base+tc.path, nil)
		require.NoError(t, err)
		req.Header = user.hdr.Clone()
		res, err := h.http.Do(req)
		require.NoError(t, err)
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		res.Body.Close()
		if tc.allow == "" {
			assert.Equal(t, http.StatusNotFound, res.StatusCode, "%s %s", tc.method, tc.path)
			continue
		}
		assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode, "%s %s: %s", tc.method, tc.path, body)
		assert.Equal(t, tc.allow, res.Header.Get("Allow"), "%s %s", tc.method, tc.path)
		var e apiError
		require.NoError(t, json.Unmarshal(body, &e), "%s %s: %s", tc.method, tc.path, body)
		assert.Equal(t, "method_not_allowed", e.Error)
	}
}

func itoa(v int64) string {
	b, _ := json.Marshal(v)
	return string(b)
}
