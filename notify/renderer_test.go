package notify_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notify"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var (
	officeID   = uuid.MustParse("0191c7a0-0000-7000-8000-00000000f001")
	recordID   = uuid.MustParse("0191c7a0-0000-7000-8000-0000000a0001")
	noticeBase = uuid.MustParse("0191c7a0-0000-7000-8000-000000000000")
	createdAt  = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
)

var officeKinds = map[notary.NoticeKind]bool{
	notary.NoticeFilingReview:      true,
	notary.NoticePreliminaryReview: true,
	notary.NoticeFinalReview:       true,
	notary.NoticeReceiptConfirmed:  true,
	notary.NoticeMaterialsArrived:  true,
	notary.NoticeInvoiceRequested:  true,
}

// fixture is the notice the domain would commit for kind (see
// notary.Service.applicationNotices), addressed in locale.
func fixture(kind notary.NoticeKind, locale string) notary.Notice {
	office := "上海市示例公证处"
	d := notary.NoticeData{OfficeName: office, RecordID: recordID}
	rk := notary.KindApplication
	evidence := []notary.Evidence{
		{ID: "EV-2025-0001", Title: "采购合同（2024 年度）", SHA256: strings.Repeat("a1b2c3d4", 8)},
		{ID: "EV-2025-0002", Title: "网页取证：官网首页截图", SHA256: strings.Repeat("0f1e2d3c", 8)},
	}
	app := func() {
		d.Evidence = evidence
		d.Amount, d.Currency = "240.00", "CNY"
	}
	switch kind {
	case notary.NoticeFilingReview, notary.NoticeFilingApproved:
		rk = notary.KindFiling
		d.EnterpriseName, d.Revision = "示例科技有限公司", 2
	case notary.NoticeFilingRejected:
		rk = notary.KindFiling
		d.EnterpriseName, d.Revision = "示例科技有限公司", 1
		d.Reason = "营业执照扫描件不清晰，请重新上传。"
	case notary.NoticePreliminaryReview, notary.NoticePaymentReceived:
		app()
	case notary.NoticeCancelled:
		app()
		d.Reason = notary.ReasonPaymentDeadlinePassed
	case notary.NoticePaymentFailed:
		app()
		d.Reason = notary.ReasonPaymentFailed
	case notary.NoticePreliminaryApproved:
		app()
		d.Materials = []string{"公证申请表（加盖公章）", "营业执照副本复印件（加盖公章）", "法定代表人身份证复印件"}
		d.MailingAddress = "上海市黄浦区示例路 100 号 上海市示例公证处 收（200001）"
	case notary.NoticePreliminaryRejected:
		app()
		d.Reason = "所选存证记录与申请用途不符。"
	case notary.NoticeMaterialsReceived, notary.NoticeFinalReview:
		app()
		d.Carrier, d.TrackingNumber = "SF", "SF1234567890123"
	case notary.NoticeFinalRejected:
		app()
		d.Reason = "公证申请表缺少法定代表人签字。"
	case notary.NoticeInProduction:
		app()
		d.CertificateNumber = "(2025)沪示证经字第1024号"
	case notary.NoticeShipped:
		app()
		d.CertificateNumber = "(2025)沪示证经字第1024号"
		d.Carrier, d.TrackingNumber = "EMS", "EA123456785CN"
	case notary.NoticeCompleted, notary.NoticeReceiptConfirmed:
		app()
		d.CertificateNumber = "(2025)沪示证经字第1024号"
		d.Automatic = kind == notary.NoticeReceiptConfirmed
	case notary.NoticeMaterialsArrived:
		app()
		d.Carrier, d.TrackingNumber = "SF", "SF1234567890123"
		d.DeliveredAt = time.Date(2025, 3, 16, 2, 15, 0, 0, time.UTC) // 10:15 in China
	case notary.NoticeCertificateDelivered:
		app()
		d.CertificateNumber = "(2025)沪示证经字第1024号"
		d.Carrier, d.TrackingNumber = "EMS", "EA123456785CN"
		d.DeliveredAt = time.Date(2025, 3, 20, 17, 40, 0, 0, time.UTC) // 01:40 on 21 March in China
		d.ConfirmBy = d.DeliveredAt.Add(14 * 24 * time.Hour)           // 4 April in China
	case notary.NoticeTransferInstructions:
		app()
		d.PayeeName, d.PayeeBank, d.PayeeAccount = "上海市示例公证处", "中国工商银行上海黄浦支行", "1001 2345 6789 0123 456"
		d.TransferReference = "NK01JQ4W3F9ZP8D6M2X5R7T1V4BC"
		d.PayBy = time.Date(2025, 3, 21, 1, 0, 0, 0, time.UTC) // 21 March, 09:00 in China
	case notary.NoticeRefunded:
		app()
		d.Amount = "200.00"
		d.Reason = "初审未通过，按退款规定退还 200.00 元。"
	case notary.NoticeInvoiceRequested, notary.NoticeInvoiceIssued, notary.NoticeInvoiceRejected, notary.NoticeInvoiceReversed:
		d.InvoiceType, d.InvoiceTitle, d.TaxpayerID = notary.InvoiceSpecial, "示例科技有限公司", "91310000MA1K4XXXX0"
		d.Amount, d.Currency = "240.00", "CNY"
		if kind == notary.NoticeInvoiceRejected {
			d.Reason = "纳税人识别号与营业执照不一致，请核对。"
		}
		if kind == notary.NoticeInvoiceIssued || kind == notary.NoticeInvoiceReversed {
			d.InvoiceNumber, d.InvoiceDate = "25312000000012345678", "2025-03-14"
		}
		if kind == notary.NoticeInvoiceReversed {
			d.ReversalNumber, d.ReversalDate = "25312000000087654321", "2025-03-20"
		}
	}
	to := notary.Recipient{UserID: "user-42", Email: "zhang.san@example.com", Name: "张三", Locale: locale}
	if officeKinds[kind] {
		to = notary.Recipient{Email: "admin@office.example", Name: office, Locale: locale}
	}
	return notary.Notice{
		ID: noticeBase, OfficeID: officeID, RecordID: recordID, RecordKind: rk,
		Kind: kind, Channel: notary.ChannelEmail, To: to, Data: d, CreatedAt: createdAt,
		Status: notary.NoticePending, NextAttemptAt: createdAt,
	}
}

func newRenderer(t testing.TB, opts ...notify.RendererOption) *notify.Renderer {
	t.Helper()
	r, err := notify.NewRenderer(opts...)
	require.NoError(t, err)
	return r
}

func goldenText(m notary.Message) string {
	return "Subject: " + m.Subject + "\n\n----- text -----\n" + m.Text + "----- html -----\n" + m.HTML
}

func TestRenderGolden(t *testing.T) {
	r := newRenderer(t)
	for _, locale := range []string{"zh-CN", "en"} {
		for _, kind := range notary.NoticeKinds {
			t.Run(locale+"/"+string(kind), func(t *testing.T) {
				m, err := r.Render(fixture(kind, locale))
				require.NoError(t, err)
				got := goldenText(m)
				path := filepath.Join("testdata", "golden", locale, string(kind)+".txt")
				if *update {
					require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
					require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
				}
				want, err := os.ReadFile(path)
				require.NoError(t, err, "run go test ./notify -run TestRenderGolden -update to create it")
				assert.Equal(t, string(want), got)
			})
		}
	}
}

// TestRenderContent checks that each kind carries what its recipient needs,
// in both locales.
func TestRenderContent(t *testing.T) {
	r := newRenderer(t)
	evidence := []string{"EV-2025-0001", "采购合同（2024 年度）", strings.Repeat("a1b2c3d4", 8), "EV-2025-0002"}
	tests := []struct {
		kind notary.NoticeKind
		want map[string][]string // locale -> substrings of both text and HTML
	}{
		{notary.NoticeFilingReview, map[string][]string{"zh-CN": {"示例科技有限公司", "上海市示例公证处管理员"}, "en": {"示例科技有限公司", "administrators"}}},
		{notary.NoticePreliminaryReview, map[string][]string{"zh-CN": append([]string{"240.00 CNY"}, evidence...), "en": append([]string{"240.00 CNY"}, evidence...)}},
		{notary.NoticeFinalReview, map[string][]string{"zh-CN": {"SF1234567890123", "SF"}, "en": {"SF1234567890123"}}},
		{notary.NoticeReceiptConfirmed, map[string][]string{"zh-CN": {"(2025)沪示证经字第1024号", "自动确认"}, "en": {"(2025)沪示证经字第1024号", "automatically"}}},
		{notary.NoticeFilingApproved, map[string][]string{"zh-CN": {"示例科技有限公司", "审核通过", "张三"}, "en": {"approved", "Dear 张三"}}},
		{notary.NoticeFilingRejected, map[string][]string{"zh-CN": {"营业执照扫描件不清晰，请重新上传。"}, "en": {"营业执照扫描件不清晰，请重新上传。"}}},
		{notary.NoticePaymentReceived, map[string][]string{"zh-CN": append([]string{"240.00 CNY", "初审"}, evidence...), "en": append([]string{"240.00 CNY", "preliminary review"}, evidence...)}},
		{notary.NoticeCancelled, map[string][]string{"zh-CN": append([]string{"已释放", "未在付款期限内完成付款"}, evidence...), "en": append([]string{"released", "the payment deadline passed"}, evidence...)}},
		{notary.NoticePaymentFailed, map[string][]string{"zh-CN": append([]string{"重新付款", "240.00 CNY", "本次付款未成功"}, evidence...), "en": append([]string{"pay again", "240.00 CNY", "the payment attempt failed"}, evidence...)}},
		{notary.NoticePreliminaryApproved, map[string][]string{
			"zh-CN": {"初审通过告知书", "公证申请表（加盖公章）", "营业执照副本复印件（加盖公章）", "法定代表人身份证复印件", "上海市黄浦区示例路 100 号 上海市示例公证处 收（200001）"},
			"en":    {"初审通过告知书", "公证申请表（加盖公章）", "法定代表人身份证复印件", "上海市黄浦区示例路 100 号"},
		}},
		{notary.NoticePreliminaryRejected, map[string][]string{"zh-CN": {"初审未过通知书", "所选存证记录与申请用途不符。", "退款"}, "en": {"初审未过通知书", "所选存证记录与申请用途不符。", "refund"}}},
		{notary.NoticeMaterialsReceived, map[string][]string{"zh-CN": {"SF1234567890123"}, "en": {"SF1234567890123"}}},
		{notary.NoticeFinalRejected, map[string][]string{"zh-CN": {"审核未过告知书", "公证申请表缺少法定代表人签字。"}, "en": {"审核未过告知书", "公证申请表缺少法定代表人签字。"}}},
		{notary.NoticeInProduction, map[string][]string{"zh-CN": {"(2025)沪示证经字第1024号", "正在制作"}, "en": {"(2025)沪示证经字第1024号", "being made"}}},
		{notary.NoticeShipped, map[string][]string{"zh-CN": {"EMS", "EA123456785CN"}, "en": {"EMS", "EA123456785CN"}}},
		{notary.NoticeCompleted, map[string][]string{"zh-CN": {"(2025)沪示证经字第1024号", "已完成"}, "en": {"(2025)沪示证经字第1024号", "complete"}}},
		{notary.NoticeTransferInstructions, map[string][]string{
			"zh-CN": {"上海市示例公证处", "中国工商银行上海黄浦支行", "1001 2345 6789 0123 456", "240.00 CNY", "NK01JQ4W3F9ZP8D6M2X5R7T1V4BC", "2025-03-21", "前到账"},
			"en":    {"上海市示例公证处", "1001 2345 6789 0123 456", "240.00 CNY", "NK01JQ4W3F9ZP8D6M2X5R7T1V4BC", "must arrive by", "2025-03-21"},
		}},
		{notary.NoticeMaterialsArrived, map[string][]string{
			"zh-CN": {"已送达", "SF1234567890123", "2025-03-16 10:15（北京时间）"},
			"en":    {"delivered", "SF1234567890123", "2025-03-16 10:15 (China Standard Time)"},
		}},
		{notary.NoticeCertificateDelivered, map[string][]string{
			"zh-CN": {"已送达", "EA123456785CN", "2025-03-21 01:40", "2025-04-04", "自动确认收货"},
			"en":    {"delivered", "EA123456785CN", "2025-03-21 01:40", "2025-04-04", "confirmed automatically"},
		}},
		{notary.NoticeRefunded, map[string][]string{"zh-CN": {"200.00 CNY", "初审未通过，按退款规定退还 200.00 元。"}, "en": {"200.00 CNY", "初审未通过，按退款规定退还 200.00 元。"}}},
		{notary.NoticeInvoiceRequested, map[string][]string{
			"zh-CN": {"开具发票", "增值税专用发票", "示例科技有限公司", "91310000MA1K4XXXX0", "240.00 CNY", "上海市示例公证处管理员"},
			"en":    {"asks for an invoice", "special VAT invoice", "示例科技有限公司", "91310000MA1K4XXXX0", "240.00 CNY", "administrators"},
		}},
		{notary.NoticeInvoiceIssued, map[string][]string{
			"zh-CN": {"发票已开具", "25312000000012345678", "2025-03-14", "增值税专用发票", "240.00 CNY"},
			"en":    {"issued", "25312000000012345678", "2025-03-14", "special VAT invoice", "240.00 CNY"},
		}},
		{notary.NoticeInvoiceRejected, map[string][]string{
			"zh-CN": {"未予开具", "纳税人识别号与营业执照不一致，请核对。", "重新申请"},
			"en":    {"not issued", "纳税人识别号与营业执照不一致，请核对。", "ask for the invoice again"},
		}},
		{notary.NoticeInvoiceReversed, map[string][]string{
			"zh-CN": {"红字发票", "25312000000012345678", "25312000000087654321", "2025-03-20"},
			"en":    {"reversing (红字) invoice", "25312000000012345678", "25312000000087654321", "2025-03-20"},
		}},
	}
	require.Len(t, tests, len(notary.NoticeKinds), "every kind is covered")
	for _, tt := range tests {
		for locale, want := range tt.want {
			t.Run(locale+"/"+string(tt.kind), func(t *testing.T) {
				n := fixture(tt.kind, locale)
				m, err := r.Render(n)
				require.NoError(t, err)
				assert.Equal(t, n.ID.String()+"@notarykit", m.ID)
				assert.Equal(t, n.ID, m.NoticeID)
				assert.Equal(t, n.OfficeID, m.OfficeID)
				assert.Equal(t, n.Kind, m.Kind)
				assert.Equal(t, n.Channel, m.Channel)
				assert.Equal(t, n.To, m.To)
				assert.NotEmpty(t, m.Subject)
				assert.NotContains(t, m.Subject, "\n")
				assert.True(t, strings.HasSuffix(m.Text, "\n") && !strings.HasSuffix(m.Text, "\n\n"))
				assert.True(t, strings.HasPrefix(m.HTML, "<!DOCTYPE html>"))
				assert.Contains(t, m.HTML, `<html lang="`+locale+`">`)
				for _, s := range append(want, recordID.String(), "上海市示例公证处") {
					assert.Contains(t, m.Text, s)
					assert.Contains(t, m.HTML, s)
				}
				assert.NotContains(t, m.Text+m.HTML, "<no value>")
			})
		}
	}
}

func TestRenderEscapesHTML(t *testing.T) {
	r := newRenderer(t)
	const reason = `<script>alert("x")</script> & <b>bold</b>`
	for _, locale := range []string{"zh-CN", "en"} {
		t.Run(locale, func(t *testing.T) {
			n := fixture(notary.NoticeFilingRejected, locale)
			n.Data.Reason = reason
			n.Data.EnterpriseName = `Evil <img src=x onerror=alert(1)> Ltd`
			n.To.Name = `<i>Mallory</i>`
			m, err := r.Render(n)
			require.NoError(t, err)

			assert.NotContains(t, m.HTML, "<script>")
			assert.NotContains(t, m.HTML, "<img")
			assert.NotContains(t, m.HTML, "<i>Mallory")
			assert.Contains(t, m.HTML, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;")
			assert.Contains(t, m.HTML, "&lt;i&gt;Mallory&lt;/i&gt;")
			// Plain text and subject are not HTML: they carry the data as is.
			assert.Contains(t, m.Text, reason)
			assert.Contains(t, m.Subject, `Evil <img src=x onerror=alert(1)> Ltd`)
		})
	}
}

func TestRenderSubjectIsOneLine(t *testing.T) {
	r := newRenderer(t)
	n := fixture(notary.NoticeFilingApproved, "en")
	n.Data.EnterpriseName = "Multi\r\nLine\n\tCorp"
	m, err := r.Render(n)
	require.NoError(t, err)
	assert.Equal(t, "Enterprise filing approved: Multi Line Corp", m.Subject)
}

func TestRenderLocale(t *testing.T) {
	zh := newRenderer(t)
	en := newRenderer(t, notify.WithDefaultLocale("en"))
	tests := []struct {
		name   string
		r      *notify.Renderer
		locale string
		want   string // lang attribute of the HTML
	}{
		{"exact zh-CN", zh, "zh-CN", "zh-CN"},
		{"exact en", zh, "en", "en"},
		{"case and underscore", zh, "ZH_cn", "zh-CN"},
		{"language only", zh, "zh", "zh-CN"},
		{"region variant", zh, "en-GB", "en"},
		{"script variant", zh, "zh-Hans-CN", "zh-CN"},
		{"empty falls back to zh-CN", zh, "", "zh-CN"},
		{"unknown falls back to zh-CN", zh, "fr-FR", "zh-CN"},
		{"empty uses the default locale", en, "", "en"},
		{"unknown uses the default locale", en, "de", "en"},
		{"explicit locale beats the default", en, "zh-CN", "zh-CN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := tt.r.Render(fixture(notary.NoticeShipped, tt.locale))
			require.NoError(t, err)
			assert.Contains(t, m.HTML, `<html lang="`+tt.want+`">`)
		})
	}
}

func TestRenderOverrides(t *testing.T) {
	fsys := fstest.MapFS{
		// Only the subject of one kind in one locale.
		"en/filing.approved.tmpl": {Data: []byte(`{{define "subject"}}Welcome aboard, {{.EnterpriseName}}!{{end}}`)},
		// The whole text layout of zh-CN.
		"zh-CN/_common.tmpl": {Data: []byte(`{{define "text"}}自定义：{{template "body.text" .}}{{end}}`)},
		// A new locale with one kind: other kinds fall back.
		"ja/_common.tmpl":         {Data: []byte(`{{define "greeting"}}{{.To.Name}} 様{{end}}{{define "text"}}{{template "greeting" .}} {{template "body.text" .}}{{end}}{{define "html"}}<p>{{template "body.html" .}}</p>{{end}}`)},
		"ja/filing.approved.tmpl": {Data: []byte(`{{define "subject"}}企業届出が承認されました{{end}}{{define "body.text"}}承認：{{.EnterpriseName}}{{end}}{{define "body.html"}}承認：{{.EnterpriseName}}{{end}}`)},
	}
	r := newRenderer(t, notify.WithTemplates(fsys))
	builtin := newRenderer(t)
	assert.Equal(t, []string{"en", "ja", "zh-CN"}, r.Locales())

	t.Run("subject override keeps built-in bodies", func(t *testing.T) {
		n := fixture(notary.NoticeFilingApproved, "en")
		m, err := r.Render(n)
		require.NoError(t, err)
		b, err := builtin.Render(n)
		require.NoError(t, err)
		assert.Equal(t, "Welcome aboard, 示例科技有限公司!", m.Subject)
		assert.Equal(t, b.Text, m.Text)
		// The HTML layout shows the subject as the document title.
		assert.Equal(t, strings.Replace(b.HTML, b.Subject, m.Subject, 1), m.HTML)
	})
	t.Run("other kinds of the locale stay built-in", func(t *testing.T) {
		n := fixture(notary.NoticeFilingRejected, "en")
		m, err := r.Render(n)
		require.NoError(t, err)
		b, err := builtin.Render(n)
		require.NoError(t, err)
		assert.Equal(t, b, m)
	})
	t.Run("common override applies to every kind of the locale", func(t *testing.T) {
		for _, kind := range []notary.NoticeKind{notary.NoticeFilingApproved, notary.NoticeShipped} {
			n := fixture(kind, "zh-CN")
			m, err := r.Render(n)
			require.NoError(t, err)
			b, err := builtin.Render(n)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(m.Text, "自定义："), m.Text)
			assert.Equal(t, b.Subject, m.Subject)
			assert.Equal(t, b.HTML, m.HTML)
		}
	})
	t.Run("new locale", func(t *testing.T) {
		m, err := r.Render(fixture(notary.NoticeFilingApproved, "ja-JP"))
		require.NoError(t, err)
		assert.Equal(t, "企業届出が承認されました", m.Subject)
		assert.Equal(t, "张三 様 承認：示例科技有限公司\n", m.Text)
		assert.Equal(t, "<p>承認：示例科技有限公司</p>\n", m.HTML)

		m, err = r.Render(fixture(notary.NoticeShipped, "ja"))
		require.NoError(t, err)
		assert.Contains(t, m.HTML, `<html lang="zh-CN">`, "a kind missing in ja falls back to the default locale")
	})
	t.Run("override HTML is escaped", func(t *testing.T) {
		r := newRenderer(t, notify.WithTemplates(fstest.MapFS{
			"en/filing.rejected.tmpl": {Data: []byte(`{{define "body.html"}}<p class="reason">{{.Reason}}</p>{{end}}`)},
		}))
		n := fixture(notary.NoticeFilingRejected, "en")
		n.Data.Reason = "<script>x</script>"
		m, err := r.Render(n)
		require.NoError(t, err)
		assert.Contains(t, m.HTML, `<p class="reason">&lt;script&gt;x&lt;/script&gt;</p>`)
	})
}

func TestNewRendererErrors(t *testing.T) {
	tests := []struct {
		name string
		opts []notify.RendererOption
		want string
	}{
		{"unknown default locale", []notify.RendererOption{notify.WithDefaultLocale("xx")}, `no templates for default locale "xx"`},
		{"syntax error", []notify.RendererOption{notify.WithTemplates(fstest.MapFS{
			"en/filing.approved.tmpl": {Data: []byte(`{{define "subject"}}{{.EnterpriseName{{end}}`)},
		})}, "parse template en/filing.approved.tmpl"},
		{"unknown field", []notify.RendererOption{notify.WithTemplates(fstest.MapFS{
			"en/filing.approved.tmpl": {Data: []byte(`{{define "subject"}}{{.EnterpriseNmae}}{{end}}`)},
		})}, "EnterpriseNmae"},
		{"unknown kind", []notify.RendererOption{notify.WithTemplates(fstest.MapFS{
			"en/filing.aproved.tmpl": {Data: []byte(`{{define "subject"}}x{{end}}`)},
		})}, "en/filing.aproved.tmpl"},
		{"stray file", []notify.RendererOption{notify.WithTemplates(fstest.MapFS{
			"filing.approved.tmpl": {Data: []byte(`x`)},
		})}, "expected <locale>/<kind>.tmpl"},
		{"new locale without layouts", []notify.RendererOption{notify.WithTemplates(fstest.MapFS{
			"ja/filing.approved.tmpl": {Data: []byte(`{{define "subject"}}x{{end}}`)},
		})}, `do not define "text"`},
		{"unsafe HTML", []notify.RendererOption{notify.WithTemplates(fstest.MapFS{
			"en/filing.approved.tmpl": {Data: []byte(`{{define "body.html"}}<a href="{{.Reason}}{{end}}`)},
		})}, "en/filing.approved"},
		{"bad message ID domain", []notify.RendererOption{notify.WithMessageIDDomain("a b")}, "message ID domain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := notify.NewRenderer(tt.opts...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestRenderUnknownKind(t *testing.T) {
	r := newRenderer(t)
	n := fixture(notary.NoticeShipped, "en")
	n.Kind = "no.such.kind"
	_, err := r.Render(n)
	require.Error(t, err)
	assert.True(t, errors.Is(err, notary.ErrInvalidInput))
}

func TestRenderMessageIDDomain(t *testing.T) {
	r := newRenderer(t, notify.WithMessageIDDomain("mail.example.com"))
	n := fixture(notary.NoticeShipped, "en")
	m, err := r.Render(n)
	require.NoError(t, err)
	assert.Equal(t, n.ID.String()+"@mail.example.com", m.ID)
	assert.Equal(t, m.ID, r.MessageID(n))
}

func TestRenderConcurrent(t *testing.T) {
	r := newRenderer(t)
	done := make(chan struct{})
	for i := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for _, kind := range notary.NoticeKinds {
				_, err := r.Render(fixture(kind, []string{"en", "zh-CN"}[i%2]))
				assert.NoError(t, err)
			}
		}()
	}
	for range 8 {
		<-done
	}
}

// TestSystemReasonsRenderInTheRecipientsLanguage renders every system
// reason code of notary in every built-in locale, into a golden file: a
// zh-CN recipient never reads an English code or text, and an admin's
// typed reason is shown as typed.
func TestSystemReasonsRenderInTheRecipientsLanguage(t *testing.T) {
	r := newRenderer(t)
	var b strings.Builder
	for _, locale := range []string{"zh-CN", "en"} {
		for _, code := range append(slices.Clone(notary.SystemReasons), "证据与申请事项无关") {
			n := fixture(notary.NoticeCancelled, locale)
			n.Data.Reason = code
			m, err := r.Render(n)
			require.NoError(t, err)
			var line string
			for _, l := range strings.Split(m.Text, "\n") {
				if strings.HasPrefix(l, "取消原因：") || strings.HasPrefix(l, "Reason: ") {
					line = l
				}
			}
			require.NotEmpty(t, line, "%s %s: no reason line", locale, code)
			fmt.Fprintf(&b, "%s\t%s\t%s\n", locale, code, line)
			if slices.Contains(notary.SystemReasons, code) {
				assert.NotContains(t, m.Text, code, "%s: the code itself is never shown", locale)
				assert.NotContains(t, m.HTML, code, "%s: the code itself is never shown", locale)
				if locale == "zh-CN" {
					assert.True(t, hasHan(strings.TrimPrefix(line, "取消原因：")), "%s renders in Chinese: %q", code, line)
				}
			} else {
				assert.Contains(t, line, code, "a typed reason is shown as typed")
			}
		}
	}
	path := filepath.Join("testdata", "golden", "reasons.txt")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./notify -run TestSystemReasons -update to create it")
	assert.Equal(t, string(want), b.String())
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
