package console_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// onCI reports whether the test runs on CI, where a missing browser or
// axe-core is a failure rather than a skip.
func onCI() bool { return os.Getenv("CI") == "true" }

// chromium returns the path of a Chromium or Chrome binary, or skips the
// test without one (fails on CI).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if onCI() {
		t.Fatal("Chromium not found on CI (CI=true): apt-get install -y chromium fonts-noto-cjk")
	}
	t.Skip("Chromium not found; apt-get install -y chromium fonts-noto-cjk to run the browser test")
	return ""
}

// repoRoot is the module root above the test's directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "no go.mod above the test")
		dir = parent
	}
}

// axeSource returns axe-core's script: $NOTARYKIT_AXE_JS, or the npm
// package installed at the module root with
// `npm install --prefix .cache/axe axe-core@4` (what CI does).
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("NOTARYKIT_AXE_JS")
	if path == "" {
		path = filepath.Join(repoRoot(t), ".cache", "axe", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if onCI() {
			t.Fatalf("axe-core not found on CI (CI=true) at %s: npm install --prefix .cache/axe axe-core@4", path)
		}
		t.Skipf("axe-core not found at %s; npm install --prefix .cache/axe axe-core@4 to run the browser test", path)
	}
	return string(b)
}

// screenshotDir is where the browser test saves its screenshots:
// $NOTARYKIT_SCREENSHOTS, or .cache/screenshots/console at the module root
// (ignored by git).
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("NOTARYKIT_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(repoRoot(t), ".cache", "screenshots", "console")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// TestBrowser drives the console in headless Chromium at a desktop width
// (1366 px) and a phone width (390 px): log in, find an application by
// search, decide it, reject a filing after a refused empty reason. On every page
// the document must not scroll sideways and axe-core must find no serious
// or critical violation; every page is saved as a screenshot.
func TestBrowser(t *testing.T) {
	chrome := chromium(t)
	axe := axeSource(t)
	shots := screenshotDir(t)
	for _, width := range []int64{1366, 390} {
		t.Run(fmt.Sprintf("%dpx", width), func(t *testing.T) {
			browse(t, chrome, axe, shots, width)
		})
	}
}

func browse(t *testing.T, chrome, axe, shots string, width int64) {
	e := newEnv(t)
	// The dashboard's charts have weeks of history: filings decided in the
	// weeks before today, each after a longer wait.
	for i := range 6 {
		e.clock.Set(t0.AddDate(0, 0, -7*(6-i)))
		_, f := e.filing(fmt.Sprintf("历史示例%d有限公司", i+1))
		e.clock.Advance(time.Duration(i+1) * 5 * time.Hour)
		_, err := e.svc.Reviews.ApproveFiling(t.Context(), e.chief, f.ID, f.Version)
		require.NoError(t, err)
	}
	e.clock.Set(t0)
	// Operations has a sweep problem and a notice the relay gave up on.
	e.stuckRefund("佛山示例陶瓷有限公司")
	e.deadLetters("550 5.1.1 mailbox unavailable: user unknown (the address of the office's desk is wrong)")
	app := e.paidApplication("深圳市南山区示例科技股份有限公司")
	_, filing := e.filing("广州示例贸易有限公司")
	// Finance's queue: an application awaiting its transfer and a transfer
	// that matched none.
	awaiting := e.transferApplication("佛山示例制造有限公司")
	invoiced := e.requestedInvoice("珠海示例软件有限公司")
	const financeEmail = "cash@notary.example"
	_, err := e.svc.Admins.Create(t.Context(), e.chief, financeEmail, "李会计", notary.RoleFinance, staffPassword)
	require.NoError(t, err)
	token, _, err := e.svc.Admins.Login(t.Context(), financeEmail, staffPassword)
	require.NoError(t, err)
	cash, err := e.svc.Admins.Authenticate(t.Context(), token)
	require.NoError(t, err)
	_, err = e.svc.Finance.RecordTransfer(t.Context(), cash, notary.ReceivedTransfer{Serial: "ICBC-20261129-0042",
		PayerName: "东莞示例电子有限公司", Amount: awaiting.Quote.Amount, Date: e.clock.Now()})
	require.NoError(t, err)

	alloc, cancelAlloc := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(chrome),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(int(width), 900),
	)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	defer cancelBrowser()
	ctx, cancel := context.WithTimeout(browser, 120*time.Second)
	defer cancel()
	var opts []chromedp.EmulateViewportOption
	if width < 600 {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(width, 900, opts...)))

	// check asserts the page's layout and accessibility and saves it.
	check := func(name string) {
		t.Helper()
		var scroll, inner int64
		require.NoError(t, chromedp.Do(ctx,
			into(&scroll, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`)),
			into(&inner, chromedp.Evaluate[int64](`window.innerWidth`)),
		))
		assert.LessOrEqual(t, scroll, inner, "%s: the document scrolls sideways at %d px", name, width)
		var violations []string
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Evaluate[chromedp.Void](axe),
			into(&violations, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ['violations']}).then(r =>
				r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
				 .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' at ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))`,
				chromedp.EvalAwaitPromise)),
		))
		assert.Empty(t, violations, "%s: axe-core at %d px", name, width)
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
		require.NoError(t, err)
		path := filepath.Join(shots, fmt.Sprintf("%s-%d.png", name, width))
		require.NoError(t, os.WriteFile(path, shot, 0o644))
	}

	// Log in: the queue sends the browser to the login page first.
	var loginURL string
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/admin/filings"),
		chromedp.WaitVisible(chromedp.CSS("#login-form")),
		into(&loginURL, chromedp.Location()),
	))
	assert.Equal(t, e.srv.URL+"/admin/login", loginURL)
	check("login")
	var whoami, whoamiTitle string
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#email"), chiefEmail),
		chromedp.SendKeys(chromedp.CSS("#password"), chiefPassword),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("#queue")), // the Secure cookie was accepted
		into(&whoami, chromedp.Text(chromedp.CSS("#whoami"))),
		into(&whoamiTitle, chromedp.Evaluate[string](`document.querySelector('#whoami').title`)),
	))
	assert.Contains(t, whoami, "王主任")
	assert.Equal(t, chiefEmail, whoamiTitle, "the email, shown or in the tooltip")
	check("filings")

	// The preliminary queue names the enterprise; open the application
	// and pass its preliminary review.
	var state string
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`header nav a[href$="PendingPreliminaryReview"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/admin/applications/`+app.ID.String()+`"]`)),
	))
	check("applications")
	// Find it by the last 12 characters of its ID, as read over the phone.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#q"), app.ID.String()[24:]),
		chromedp.Click(chromedp.CSS("#search")),
		chromedp.WaitVisible(chromedp.CSS("#search-applications")),
	))
	check("search")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#search-applications a[href="/admin/applications/`+app.ID.String()+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#approve-preliminary-form")),
	))
	check("application")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#approve-preliminary")),
		chromedp.WaitVisible(chromedp.CSS("#flash")),
		into(&state, chromedp.Text(chromedp.CSS("#state"))),
	))
	assert.Equal(t, "待寄送材料", state)
	check("application-decided")

	// A filing: an empty reason (the browser's own check lifted) is
	// refused next to the field; then a reason rejects it.
	var fieldErr string
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/admin/filings/"+filing.ID.String()),
		chromedp.WaitVisible(chromedp.CSS("#reject-form")),
	))
	check("filing")
	// Reveal the legal representative's ID number for this page view.
	var flash string
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#reveal-form input[value="legal_rep.id_number"]`)),
		chromedp.Click(chromedp.CSS("#reveal")),
		chromedp.WaitVisible(chromedp.CSS("#flash")),
		into(&flash, chromedp.Text(chromedp.CSS("#flash"))),
	))
	assert.Contains(t, flash, "法定代表人证件号码")
	check("filing-revealed")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#reason').removeAttribute('required')`),
		chromedp.SendKeys(chromedp.CSS("#reason"), "   "),
		chromedp.Click(chromedp.CSS("#reject")),
		chromedp.WaitVisible(chromedp.CSS("#reason-error")),
		into(&fieldErr, chromedp.Text(chromedp.CSS("#reason-error"))),
	))
	assert.Equal(t, "必填", fieldErr)
	check("filing-refused")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#reason"), "营业执照扫描件不清晰，请重新上传"),
		chromedp.Click(chromedp.CSS("#reject")),
		chromedp.WaitVisible(chromedp.CSS("#flash")),
		into(&state, chromedp.Text(chromedp.CSS("#state"))),
	))
	assert.Equal(t, "已驳回", state)
	check("filing-decided")

	// English, and the styled 404.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#lang")),
		chromedp.WaitVisible(chromedp.CSS("#state")),
		into(&state, chromedp.Text(chromedp.CSS("#state"))),
	))
	assert.Equal(t, "Rejected", state)
	check("filing-en")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/admin/nowhere"),
		chromedp.WaitVisible(chromedp.CSS("main h1")),
	))
	check("not-found")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/admin/logout"),
		chromedp.WaitVisible(chromedp.CSS("main h1")),
	))
	check("method-not-allowed")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/admin/applications?state=Nonsense&lang=zh"),
		chromedp.WaitVisible(chromedp.CSS("main h1")),
	))
	check("bad-request")

	// The dashboard and the operations page.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/admin/"),
		chromedp.WaitVisible(chromedp.CSS("#waiting-chart")),
	))
	check("dashboard")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/admin/operations?lang=zh"),
		chromedp.WaitVisible(chromedp.CSS("#stuck")),
		chromedp.WaitVisible(chromedp.CSS("#dead-letters")),
	))
	check("operations")

	// The staff pages.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/admin/staff"),
		chromedp.WaitVisible(chromedp.CSS("#staff")),
	))
	check("staff")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/admin/staff/"+e.chief.ID.String()),
		chromedp.WaitVisible(chromedp.CSS("#login-audit")),
	))
	check("account")

	// An amended filing: the history and the comparison with the revision
	// in force, then the page of the revision in force.
	amended, _ := e.amended("深圳示例物流有限公司", "深圳示例供应链管理有限公司")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/admin/filings/"+amended.ID.String()+"?lang=zh"),
		chromedp.WaitVisible(chromedp.CSS("#diff")),
		chromedp.WaitVisible(chromedp.CSS("#revisions")),
	))
	check("filing-amended")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#revisions a[href$="/revisions/1"]`)),
		chromedp.WaitVisible(chromedp.CSS("#revision-content")),
	))
	check("revision")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/admin/filings/"+amended.ID.String()+"/revisions/2"),
		chromedp.WaitVisible(chromedp.CSS("#diff")),
	))
	check("revision-diff")

	// The SDK agrees.
	f, err := e.svc.Filings.Get(t.Context(), e.chief, filing.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.FilingRejected, f.State)
	assert.True(t, strings.HasPrefix(f.Reason, "营业执照"))
	a, err := e.svc.Applications.Get(t.Context(), e.chief, app.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.AwaitingMaterials, a.State)

	// Log out: the console sends the browser back to the login page.
	var after string
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/admin/filings"),
		chromedp.WaitVisible(chromedp.CSS("form.logout button")),
		chromedp.Click(chromedp.CSS(`form.logout button`)),
		chromedp.WaitVisible(chromedp.CSS("#login-form")),
		into(&after, chromedp.Location()),
	))
	assert.Equal(t, e.srv.URL+"/admin/login?out=1", after)

	// Finance starts on what its role does, with no review queue.
	_, err = e.svc.Admins.Create(t.Context(), e.chief, "zhao@notary.example", "赵会计", notary.RoleFinance, staffPassword)
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#email"), "zhao@notary.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), staffPassword),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("form.logout")),
		chromedp.Navigate(e.srv.URL+"/admin/"),
		chromedp.WaitVisible(chromedp.CSS("#duty-money")),
	))
	check("finance-home")
	// Its queue of bank transfers, and a transfer a fen short refused
	// next to the amount.
	var amountErr string
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/admin/finance"),
		chromedp.WaitVisible(chromedp.CSS("#transfer-form")),
	))
	check("finance")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#serial"), "ICBC-20261130-0007"),
		chromedp.SendKeys(chromedp.CSS("#reference"), awaiting.Payment.Transfer.Reference),
		chromedp.SendKeys(chromedp.CSS("#payer-name"), "佛山示例制造有限公司"),
		chromedp.SendKeys(chromedp.CSS("#amount"), awaiting.Quote.Amount.Sub(decimal.RequireFromString("0.01")).StringFixed(2)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#date').value = '2026-11-30'`),
		chromedp.Click(chromedp.CSS("#record")),
		chromedp.WaitVisible(chromedp.CSS("#amount-error")),
		into(&amountErr, chromedp.Text(chromedp.CSS("#amount-error"))),
	))
	assert.Contains(t, amountErr, "少了 0.01 CNY")
	check("finance-refused")

	// Its invoice queue, and an invoice number refused next to its field.
	issueForm := "#issue-" + invoiced.ID.String()
	var numberErr string
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/admin/invoices"),
		chromedp.WaitVisible(chromedp.CSS("#invoices")),
	))
	check("invoices")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(issueForm+"-number"), "1234"),
		chromedp.SendKeys(chromedp.CSS(issueForm+"-pdf"), "invoices/1234.pdf"),
		chromedp.SendKeys(chromedp.CSS(issueForm+"-sha"), strings.Repeat("ab", 32)),
		chromedp.Click(chromedp.CSS(issueForm+"-submit")),
		chromedp.WaitVisible(chromedp.CSS(issueForm+"-number-error")),
		into(&numberErr, chromedp.Text(chromedp.CSS(issueForm+"-number-error"))),
	))
	assert.Equal(t, "须为 8 位或 20 位数字", numberErr)
	check("invoices-refused")
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
