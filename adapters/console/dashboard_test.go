package console_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDashboard shows the count and the oldest item of each review queue,
// with a server-side SVG chart and no script.
func TestDashboard(t *testing.T) {
	e := newEnv(t)
	oldest := e.paidApplication("最早公司")
	e.clock.Advance(26 * time.Hour)
	e.paidApplication("后来公司")
	_, filing := e.filing("待审核公司")
	c := e.client()
	c.login()
	res, page := c.do("GET", "/admin/", nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, page, `<svg class="chart"`)
	assert.Contains(t, page, `role="img"`)
	assert.NotContains(t, page, "<script")
	assert.Contains(t, page, `href="/admin/applications/`+oldest.ID.String()+`">最早公司</a>`, "the oldest item of the queue")
	assert.Contains(t, page, "1 天 2 小时", "how long it waits")
	assert.Contains(t, page, `href="/admin/filings/`+filing.ID.String()+`">待审核公司</a>`)
	assert.Contains(t, page, `<td>2</td>`, "two waiting for the preliminary review")
	assert.Contains(t, page, `width="380"`, "the longest bar is the fullest queue")
}
