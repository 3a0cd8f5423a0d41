package console_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQueueParameters: both queue pages read ?state= and ?after= the same
// way; a bad value is a styled 400 that names the parameter, in the
// reviewer's language; the next-page link is a cursor that reads back.
func TestQueueParameters(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.login()
	for _, queue := range []string{"/admin/filings", "/admin/applications"} {
		for _, tc := range []struct{ query, zh, en string }{
			{"state=Nonsense", `地址中的参数 state（队列）有误：没有这个队列 &#34;Nonsense&#34;`, `The address&#39;s parameter state (queue) is wrong: unknown queue &#34;Nonsense&#34;`},
			{"after=@@@", `地址中的参数 after（分页位置）有误：格式不正确`, `The address&#39;s parameter after (page position) is wrong: malformed cursor`},
			{"state=Approved&after=2026", `地址中的参数 after（分页位置）有误`, `parameter after (page position)`},
		} {
			if queue == "/admin/applications" && strings.HasPrefix(tc.query, "state=Approved") {
				tc.zh, tc.en = `参数 state（队列）有误`, `parameter state (queue)`
			}
			res, page := c.do("GET", queue+"?"+tc.query, nil)
			assert.Equal(t, http.StatusBadRequest, res.StatusCode, "%s?%s", queue, tc.query)
			assert.Contains(t, page, tc.zh, "%s?%s", queue, tc.query)
			assert.Contains(t, page, `href="/admin/static/console.css"`, "styled")
			assert.Regexp(t, `<h1>请求有误</h1>\s*<p class="error" role="alert" id="error">`, page, "the heading says what kind of error, the message follows")
			assert.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'none'")
			_, page = c.do("GET", queue+"?lang=en&"+tc.query, nil)
			assert.Contains(t, page, tc.en, "%s?%s", queue, tc.query)
			c.do("GET", "/admin/filings?lang=zh", nil)
		}
	}

	// 21 filings: a full first page links a second page with the last one.
	for range 21 {
		e.filing("乙公司")
	}
	_, page := c.do("GET", "/admin/filings", nil)
	assert.Equal(t, 20, strings.Count(page, `class="open"`))
	next := regexp.MustCompile(`href="(/admin/filings\?[^"]+)" rel="next"`).FindStringSubmatch(page)
	require.NotNil(t, next)
	res, page := c.do("GET", strings.ReplaceAll(next[1], "&amp;", "&"), nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, 1, strings.Count(page, `class="open"`))
	assert.NotContains(t, page, `rel="next"`)
}
