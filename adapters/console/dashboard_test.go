package console_test

import (
	"strings"
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

// between returns the part of page from the first from to the next to.
func between(t *testing.T, page, from, to string) string {
	t.Helper()
	i := strings.Index(page, from)
	require.GreaterOrEqual(t, i, 0, "no %q", from)
	j := strings.Index(page[i:], to)
	require.GreaterOrEqual(t, j, 0, "no %q after %q", to, from)
	return page[i : i+j]
}

// TestDashboardStatistics charts the review turnaround per week and the
// applications and fees per month, in the office's time zone, from
// fixture data on the test clock; the tables say the exact numbers.
func TestDashboardStatistics(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	// 09:00 UTC on Monday 30 November is 17:00 in Shanghai; the filings are
	// approved at once (two waits of 0).
	a := e.paidApplication("甲公司")
	e.clock.Advance(3 * time.Hour)
	_, err := e.svc.Reviews.ApprovePreliminary(ctx, e.chief, a.ID, a.Version) // waited 3 h
	require.NoError(t, err)
	b := e.paidApplication("乙公司")
	e.clock.Advance(2 * time.Hour)
	_, err = e.svc.Reviews.ApprovePreliminary(ctx, e.chief, b.ID, b.Version) // waited 2 h
	require.NoError(t, err)

	c := e.client()
	c.login()
	res, page := c.do("GET", "/admin/", nil)
	require.Equal(t, 200, res.StatusCode)
	assert.NotContains(t, page, "<script")

	weeks := between(t, page, `<table id="turnaround">`, `</table>`)
	assert.Equal(t, 12, strings.Count(weeks, "<tr><td"), "twelve weeks")
	assert.Contains(t, weeks, "<tr><td class=\"nowrap\">2026-11-30</td><td>4</td><td>1 小时</td><td>2 小时 42 分</td></tr>",
		"waits of 0, 0, 2 h and 3 h: median 1 h, 90th percentile 2 h 42 min")
	assert.Contains(t, weeks, "<tr><td class=\"nowrap\">2026-11-23</td><td>0</td><td>—</td><td>—</td></tr>")
	chart := between(t, page, `id="turnaround-chart"`, `</svg>`)
	assert.Contains(t, chart, `height="150" fill="#7a9cc6"><title>90 分位 2 小时 42 分</title>`, "the tallest bar is the largest 90th percentile")
	assert.Contains(t, chart, `height="56" fill="#1f3a5f"><title>中位数 1 小时</title>`, "1 h of 2 h 42 min")
	assert.Equal(t, 24, strings.Count(chart, "<rect x=")-2, "two bars a week, and the legend")

	fee := a.Quote.Amount.Add(b.Quote.Amount).StringFixed(2)
	months := between(t, page, `<table id="months">`, `</table>`)
	assert.Contains(t, months, "<tr><td class=\"nowrap\">2026-11</td><td>2</td><td>2</td><td>"+fee+" CNY</td><td>—</td></tr>")
	assert.Contains(t, months, "<tr><td class=\"nowrap\">2026-10</td><td>0</td><td>0</td><td>—</td><td>—</td></tr>")
	apps := between(t, page, `id="applications-chart"`, `</svg>`)
	assert.Contains(t, apps, `height="150" fill="#1f3a5f"><title>2</title>`, "November's bar is the tallest")
	assert.Equal(t, 11, strings.Count(apps, `height="0"`), "the other months are empty")
	fees := between(t, page, `id="fees-chart"`, `</svg>`)
	assert.Contains(t, fees, `height="150" fill="#1f3a5f"><title>`+fee+` CNY</title>`)

	// English, and a month later: the buckets move with the clock.
	e.clock.Advance(31 * 24 * time.Hour)
	c = e.client()
	c.login()
	_, page = c.do("GET", "/admin/?lang=en", nil)
	assert.Contains(t, page, "<td>0</td><td>—</td><td>—</td>")
	assert.Contains(t, page, ">Median 1h<", "English units")
	months = between(t, page, `<table id="months">`, `</table>`)
	assert.Contains(t, months, "<tr><td class=\"nowrap\">2026-11</td><td>2</td>")
	assert.Contains(t, months, "<tr><td class=\"nowrap\">2026-12</td><td>0</td>")
}
