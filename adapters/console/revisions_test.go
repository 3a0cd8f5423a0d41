package console_test

import (
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// amended files and approves a filing of enterprise, has an application
// made under it, and files an amendment that renames the enterprise and
// changes the legal representative's name (to one with the same mask).
func (e *env) amended(enterprise, renamed string) (notary.Filing, notary.Application) {
	e.t.Helper()
	ctx := e.t.Context()
	u, f := e.filing(enterprise)
	f, err := e.svc.Reviews.ApproveFiling(ctx, e.chief, f.ID, f.Version)
	require.NoError(e.t, err)
	c := notarytest.FilingContent()
	c.EnterpriseName = renamed
	c.LegalRep.Name = "Zhang Sen"
	f, err = e.svc.Filings.Amend(ctx, u, f.ID, c)
	require.NoError(e.t, err)
	app, err := e.svc.Applications.Apply(ctx, u, notary.ApplyRequest{Evidence: notarytest.Evidence(u.ID + "-ev")})
	require.NoError(e.t, err)
	return f, app
}

// row returns the diff row of field on a page, or "".
func row(page, field string) string {
	m := regexp.MustCompile(`(?s)<tr[^>]*data-field="` + regexp.QuoteMeta(field) + `">.*?</tr>`).FindString(page)
	return m
}

// TestFilingRevisionPages: the filing page lists the revisions and
// compares the amendment under review with the revision in force field by
// field; each revision has its page; an application links the revision it
// was made under, which still shows that revision's content.
func TestFilingRevisionPages(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.login()
	f, app := e.amended("甲公司", "甲公司（更名后）")
	base := "/admin/filings/" + f.ID.String()

	res, page := c.do("GET", base, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, page, "版本记录")
	assert.Contains(t, page, `<a href="`+base+`/revisions/1" id="in-force">生效版本：第 1 版</a>`)
	assert.Contains(t, page, `href="`+base+`/revisions/1"`)
	assert.Contains(t, page, `href="`+base+`/revisions/2"`)
	assert.Contains(t, page, "生效中")
	assert.Contains(t, page, "待审核")
	assert.Contains(t, page, "变更对比：第 2 版（待审核）与生效的第 1 版")
	assert.Contains(t, page, "共 2 项变更。")
	name := row(page, "enterprise_name")
	assert.Contains(t, name, `class="changed"`)
	assert.Contains(t, name, "企业名称")
	assert.Contains(t, name, "<td class=\"from\">甲公司</td>")
	assert.Contains(t, name, "<td class=\"to\">甲公司（更名后）</td>")
	rep := row(page, "legal_rep.name")
	assert.Contains(t, rep, `class="changed"`, "a new name with the same mask is a change")
	assert.Contains(t, rep, "Z********")
	assert.NotContains(t, row(page, "legal_rep.id_number"), `class="changed"`)
	assert.Contains(t, row(page, "legal_rep.id_type"), "居民身份证")
	assert.NotContains(t, page, "Zhang", "no personal data in plain text")
	assert.NotContains(t, page, "sealed:", "no ciphertext")

	// Revision 1, the one in force: its own content, no comparison.
	res, page = c.do("GET", base+"/revisions/1", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, page, "<h1>甲公司</h1>")
	assert.Contains(t, page, "第 1 版备案内容")
	assert.Contains(t, page, `id="rev-status">生效中`)
	assert.Contains(t, page, "1101**********002X")
	assert.NotContains(t, page, `id="diff"`)
	assert.Contains(t, page, `href="`+base+`/revisions/2" rel="next"`)
	// Revision 2, under review: compared with revision 1.
	res, page = c.do("GET", base+"/revisions/2", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, page, "<h1>甲公司（更名后）</h1>")
	assert.Contains(t, page, `id="rev-status">待审核`)
	assert.Contains(t, page, "变更对比：第 2 版与第 1 版")
	assert.Contains(t, row(page, "enterprise_name"), `class="changed"`)
	assert.Contains(t, page, `href="`+base+`/revisions/1" rel="prev"`)

	// English.
	_, page = c.do("GET", base+"?lang=en", nil)
	assert.Contains(t, page, "Revision history")
	assert.Contains(t, page, "Changes: revision 2 (under review) against revision 1 in force")
	assert.Contains(t, row(page, "enterprise_name"), "enterprise name")
	_, page = c.do("GET", base+"/revisions/1", nil)
	assert.Contains(t, page, "Filing revision 1")
	c.do("GET", base+"?lang=zh", nil)

	// The application links revision 1, and after the amendment is
	// approved that link still shows revision 1's content.
	_, err := e.svc.Reviews.ApproveFiling(t.Context(), e.chief, f.ID, f.Version)
	require.NoError(t, err)
	_, page = c.do("GET", "/admin/applications/"+app.ID.String(), nil)
	assert.Contains(t, page, `<a href="`+base+`/revisions/1" id="filing-revision">第 1 版</a>`)
	res, page = c.do("GET", base+"/revisions/1", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, page, "<h1>甲公司</h1>", "the revision the application was made under")
	assert.Contains(t, page, `id="rev-status">曾生效`, "in force until the amendment was approved")
	_, page = c.do("GET", base, nil)
	assert.NotContains(t, page, `id="diff"`, "no comparison once nothing waits for review")
}

// TestFilingRevisionRefusals: unknown revisions and filings are 404, a
// filing of another office is 403, and no session goes to the login page.
func TestFilingRevisionRefusals(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.login()
	_, f := e.filing("乙公司")
	base := "/admin/filings/" + f.ID.String()

	other, err := notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{ID: uuid.New(), Name: "别处公证处", AdminEmails: []string{"desk@other.example"}, MailingAddress: "别处"},
		Store:  e.store, Payments: e.pay, Clock: e.clock, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	elsewhere, err := other.Filings.Submit(t.Context(), e.user(), notarytest.FilingContent())
	require.NoError(t, err)

	for _, tc := range []struct {
		path   string
		status int
	}{
		{base + "/revisions/1", http.StatusOK},
		{base + "/revisions/2", http.StatusNotFound},
		{base + "/revisions/0", http.StatusNotFound},
		{base + "/revisions/-1", http.StatusNotFound},
		{base + "/revisions/one", http.StatusNotFound},
		{base + "/revisions/99999999999999999999", http.StatusNotFound},
		{"/admin/filings/" + uuid.NewString() + "/revisions/1", http.StatusNotFound},
		{"/admin/filings/not-an-id/revisions/1", http.StatusNotFound},
		{"/admin/filings/" + elsewhere.ID.String() + "/revisions/1", http.StatusForbidden},
	} {
		res, page := c.do("GET", tc.path, nil)
		assert.Equal(t, tc.status, res.StatusCode, tc.path)
		if tc.status != http.StatusOK {
			assert.NotContains(t, page, "备案内容", tc.path)
			assert.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'none'", tc.path)
		}
	}
	res, _ := c.do("POST", base+"/revisions/1", nil)
	assert.NotEqual(t, http.StatusOK, res.StatusCode, "a revision is only read")

	res, _ = e.client().do("GET", base+"/revisions/1", nil)
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/admin/login", res.Header.Get("Location"))
	assert.False(t, strings.Contains(res.Header.Get("Location"), "revisions"))
}

// TestResubmissionComparedWithRejectedRevision: without a revision in
// force, a resubmission under review is compared with the revision before
// it; a filing stored without revisions shows no history.
func TestResubmissionComparedWithRejectedRevision(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.login()
	u, f := e.filing("丙公司")
	f, err := e.svc.Reviews.RejectFiling(t.Context(), e.chief, f.ID, f.Version, "名称有误")
	require.NoError(t, err)
	fixed := notarytest.FilingContent()
	fixed.EnterpriseName = "丙公司（更正）"
	f, err = e.svc.Filings.Resubmit(t.Context(), u, f.ID, fixed)
	require.NoError(t, err)

	_, page := c.do("GET", "/admin/filings/"+f.ID.String(), nil)
	assert.Contains(t, page, "变更对比：第 2 版与第 1 版")
	assert.Contains(t, row(page, "enterprise_name"), `class="changed"`)
	assert.Contains(t, page, "共 1 项变更。")
	assert.Contains(t, page, `<span class="rev-rev.rejected">已驳回</span></td><td>提交备案</td>`, "revision 1 was rejected")

	// A filing committed without revisions (stored before they were kept).
	old := notary.Filing{ID: uuid.New(), OfficeID: e.svc.Office().ID, Owner: e.user(), State: notary.FilingPendingReview,
		Version: 1, Revision: 1, Content: notarytest.FilingContent(), CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, e.store.Commit(t.Context(), notary.Change{Filing: &old}))
	res, page := c.do("GET", "/admin/filings/"+old.ID.String(), nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.NotContains(t, page, "版本记录")
	res, _ = c.do("GET", "/admin/filings/"+old.ID.String()+"/revisions/1", nil)
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
}
