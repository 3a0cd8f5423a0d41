package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// TestFilingRevisionsOverHTTP: the owner reads every revision of the
// filing, masked, including the one in force while an amendment waits; a
// stranger reads none.
func TestFilingRevisionsOverHTTP(t *testing.T) {
	h := start(t)
	user := h.user("acct-r", "r@acme.example", "R")
	admin := h.admin(testAdminEmail, testAdminPassword)
	var f filingView
	user.call("POST", "/api/filings", filingContent(), 201, &f)
	admin.call("POST", "/api/admin/filings/"+f.ID.String()+"/approve", versionRequest{Version: f.Version}, 200, &f)
	amended := filingContent()
	amended.EnterpriseName = "Acme Renamed Co., Ltd."
	user.call("POST", "/api/filings/"+f.ID.String()+"/amend", amended, 200, &f)
	require.Equal(t, 2, f.Revision)

	base := "/api/filings/" + f.ID.String() + "/revisions"
	var list page[revisionView]
	user.call("GET", base, nil, 200, &list)
	require.Len(t, list.Items, 2)
	assert.Equal(t, []int{1, 2}, []int{list.Items[0].Number, list.Items[1].Number})
	assert.Equal(t, notary.FilingSubmit, list.Items[0].Trigger)
	assert.Equal(t, notary.FilingAmend, list.Items[1].Trigger)
	assert.Equal(t, "Acme Renamed Co., Ltd.", list.Items[1].Content.EnterpriseName)
	for _, r := range list.Items {
		assert.Equal(t, "1101**********002X", r.Content.LegalRep.IDNumber, "masked")
		assert.Equal(t, notary.ActorUser, r.SubmittedBy.Kind)
	}
	var one revisionView
	user.call("GET", base+"/1", nil, 200, &one)
	assert.Equal(t, filingContent().EnterpriseName, one.Content.EnterpriseName, "the revision in force keeps its content")

	user.fail("GET", base+"/3", nil, 404, "not_found")
	user.fail("GET", base+"/0", nil, 400, "invalid_input")
	user.fail("GET", base+"/one", nil, 400, "invalid_input")
	user.fail("GET", "/api/filings/0190a000-0000-7000-8000-000000000000/revisions", nil, 404, "not_found")
	stranger := h.user("acct-s", "s@else.example", "S")
	stranger.fail("GET", base, nil, 403, "forbidden")
	stranger.fail("GET", base+"/1", nil, 403, "forbidden")
}
