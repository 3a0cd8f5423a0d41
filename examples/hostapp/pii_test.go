package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// TestPersonalDataOverHTTP: the API shows a filing masked, the owner
// reveals it (audited) and exports what the office holds; a stranger can
// do neither.
func TestPersonalDataOverHTTP(t *testing.T) {
	h := start(t)
	user := h.user("acct-p", "p@acme.example", "P")
	var f filingView
	user.call("POST", "/api/filings", filingContent(), 201, &f)
	assert.Equal(t, "1101**********002X", f.Content.LegalRep.IDNumber)
	assert.Equal(t, "张*", f.Content.LegalRep.Name)
	user.call("GET", "/api/filings/"+f.ID.String(), nil, 200, &f)
	assert.Equal(t, "1101**********002X", f.Content.LegalRep.IDNumber)

	var full filingView
	user.call("POST", "/api/filings/"+f.ID.String()+"/reveal?field=legal_rep.id_number", nil, 200, &full)
	assert.Equal(t, "11010519491231002X", full.Content.LegalRep.IDNumber)
	assert.Equal(t, "张*", full.Content.LegalRep.Name, "only the field asked for")
	assert.Equal(t, f.Version+1, full.Version)
	user.fail("POST", "/api/filings/"+f.ID.String()+"/reveal?field=enterprise_name", nil, 400, "invalid_input")
	h.user("acct-q", "q@acme.example", "Q").fail("POST", "/api/filings/"+f.ID.String()+"/reveal", nil, 403, "forbidden")

	var x notary.PersonalDataExport
	user.call("GET", "/api/me/export", nil, 200, &x)
	require.NotNil(t, x.Filing)
	assert.Equal(t, "张三", x.Filing.Content.LegalRep.Name)
	require.NotEmpty(t, x.Trail)
	assert.Equal(t, notary.TriggerExport, x.Trail[len(x.Trail)-1].Trigger)
}
