package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// chromium returns the path of a Chromium or Chrome binary. Without one the
// test is skipped — except on CI (CI=true), where a missing browser is a
// failure rather than a silently skipped test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium not found on CI (CI=true): install it (apt-get install -y chromium)")
	}
	t.Skip("Chromium not found; install it (apt-get install -y chromium) to run the browser test")
	return ""
}

// TestAdminPagesInBrowser drives the admin review pages in headless
// Chromium: log in, open the filing queue, reject one filing with a reason
// and approve another, then check the states through the SDK. The admin
// cookie keeps its Secure attribute: Chromium treats http://127.0.0.1 as a
// secure context and accepts it.
func TestAdminPagesInBrowser(t *testing.T) {
	chrome := chromium(t)
	h := start(t)

	// Two enterprises file through the user API.
	var rejectMe, approveMe filingView
	c1, c2 := filingContent(), filingContent()
	c1.EnterpriseName, c2.EnterpriseName = "甲公司（待驳回）", "乙公司（待通过）"
	one := h.user("acct-1", "one@acme.example", "甲")
	two := h.user("acct-2", "two@acme.example", "乙")
	one.call("POST", "/api/filings", c1, 201, &rejectMe)
	two.call("POST", "/api/filings", c2, 201, &approveMe)

	alloc, cancelAlloc := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(chrome),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1600),
	)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	defer cancelBrowser()
	ctx, cancel := context.WithTimeout(browser, 60*time.Second)
	defer cancel()

	// Log in: the queue redirects to the login page first.
	var whoami, loginURL string
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(h.base+"/admin/filings"),
		chromedp.WaitVisible(chromedp.CSS("#login-form")),
		into(&loginURL, chromedp.Location()),
		chromedp.SendKeys(chromedp.CSS("#email"), testAdminEmail),
		chromedp.SendKeys(chromedp.CSS("#password"), testAdminPassword),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("#queue")), // the session cookie was accepted
		into(&whoami, chromedp.Text(chromedp.CSS("#whoami"))),
	))
	assert.Equal(t, h.base+"/admin/login", loginURL)
	assert.Contains(t, whoami, testAdminEmail)

	// Reject the first filing with a reason.
	var state, flash, verified string
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href="/admin/filings/`+rejectMe.ID.String()+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#reject-form")),
		chromedp.SendKeys(chromedp.CSS("#reason"), "营业执照扫描件不清晰，请重新上传"),
		chromedp.Click(chromedp.CSS("#reject")),
		chromedp.WaitVisible(chromedp.CSS("#flash")),
		into(&state, chromedp.Text(chromedp.CSS("#state"))),
		into(&flash, chromedp.Text(chromedp.CSS("#flash"))),
		into(&verified, chromedp.Text(chromedp.CSS("#audit-verified"))),
	))
	assert.Equal(t, "Rejected", state)
	assert.Contains(t, flash, "rejected")
	assert.Contains(t, verified, "verified")

	// Back to the queue, which now holds only the second filing; approve it.
	var queue string
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(h.base+"/admin/filings?state=PendingReview"),
		chromedp.WaitVisible(chromedp.CSS("#queue")),
		into(&queue, chromedp.Text(chromedp.CSS("#queue"))),
		chromedp.Click(chromedp.CSS(`a[href="/admin/filings/`+approveMe.ID.String()+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#approve-form")),
		chromedp.Click(chromedp.CSS("#approve")),
		chromedp.WaitVisible(chromedp.CSS("#flash")),
		into(&state, chromedp.Text(chromedp.CSS("#state"))),
	))
	assert.NotContains(t, queue, c1.EnterpriseName)
	assert.Contains(t, queue, c2.EnterpriseName)
	assert.Equal(t, "Approved", state)

	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "admin-filing-approved.png")
	require.NoError(t, os.WriteFile(path, shot, 0o644))
	t.Logf("screenshot: %s (%d bytes)", path, len(shot))
	if dir := os.Getenv("HOSTAPP_SCREENSHOT_DIR"); dir != "" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.Base(path)), shot, 0o644))
	}

	// The SDK agrees, and the audit trail names the admin and the reason.
	svc := h.app.Service()
	f, err := svc.Filings.Get(t.Context(), notary.User{ID: "acct-1", Email: "one@acme.example"}, rejectMe.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.FilingRejected, f.State)
	assert.Equal(t, "营业执照扫描件不清晰，请重新上传", f.Reason)
	f, err = svc.Filings.Get(t.Context(), notary.User{ID: "acct-2", Email: "two@acme.example"}, approveMe.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.FilingApproved, f.State)
	trail, err := svc.Audit.Trail(t.Context(), notary.User{ID: "acct-1", Email: "one@acme.example"}, rejectMe.ID)
	require.NoError(t, err)
	last := trail[len(trail)-1]
	assert.Equal(t, notary.ActorAdmin, last.Actor.Kind)
	assert.Equal(t, testAdminEmail, last.Actor.Name)
	assert.True(t, strings.HasPrefix(last.Reason, "营业执照"))

	// Log out: the queue sends the browser back to the login page.
	var after string
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form.logout button`)),
		chromedp.WaitVisible(chromedp.CSS("#login-form")),
		chromedp.Navigate(h.base+"/admin/filings"),
		chromedp.WaitVisible(chromedp.CSS("#login-form")),
		into(&after, chromedp.Location()),
	))
	assert.Equal(t, h.base+"/admin/login", after)
}

// into runs a chromedp action that returns a value and stores the value in
// dst, so it can be one of the steps of chromedp.Do.
func into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, t)
		*dst = v
		return chromedp.Void{}, err
	}
}
