package console_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExportCSV exports applications with fees: UTF-8 with a BOM, the
// office's dates, enterprise names, formulas neutralized, the period's
// applications only.
func TestExportCSV(t *testing.T) {
	e := newEnv(t)
	a := e.paidApplication("深圳甲科技有限公司")
	b := e.paidApplication("=HYPERLINK(\"x\")公司")
	e.clock.Advance(20 * 24 * time.Hour) // December
	later := e.paidApplication("下月公司")
	c := e.client()
	c.login()

	res, body := c.do("GET", "/admin/export.csv?from=2026-11-01&to=2026-12-01", nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Equal(t, `attachment; filename="applications-2026-11-01_2026-12-01.csv"`, res.Header.Get("Content-Disposition"))
	assert.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'none'")
	require.True(t, strings.HasPrefix(body, "\ufeff"), "a byte order mark for Excel")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 3, "a header and November's two applications")
	assert.Equal(t, "申请编号", rows[0][0])
	assert.Equal(t, []string{a.ID.String(), "深圳甲科技有限公司", "91350100M000100Y43", "待初审", "2",
		a.Quote.Amount.StringFixed(2), "CNY", "succeeded", "2026-11-30 17:00:00", "", "", "2026-11-30 17:00:00", "2026-11-30 17:00:00"}, rows[1])
	assert.Equal(t, b.ID.String(), rows[2][0])
	assert.Equal(t, `'=HYPERLINK("x")公司`, rows[2][1], "no formula runs in a spreadsheet")
	assert.NotContains(t, body, later.ID.String())

	res, body = c.do("GET", "/admin/export.csv", nil)
	require.Equal(t, 200, res.StatusCode, "the current month by default")
	assert.Contains(t, body, later.ID.String())
	assert.NotContains(t, body, a.ID.String())

	for _, q := range []string{"from=2026-13-01", "to=yesterday", "from=2026-12-01&to=2026-11-01"} {
		res, _ = c.do("GET", "/admin/export.csv?"+q, nil)
		assert.Equal(t, http.StatusBadRequest, res.StatusCode, q)
	}
	res, _ = e.client().do("GET", "/admin/export.csv", nil)
	assert.Equal(t, http.StatusSeeOther, res.StatusCode, "export needs a session")
}
