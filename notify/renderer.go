package notify

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// DefaultLocale is the locale a notice falls back to when neither its
// recipient's locale nor the renderer's default locale has a template for
// its kind.
const DefaultLocale = "zh-CN"

// DefaultMessageIDDomain is the right-hand side of the message IDs the
// Renderer makes unless WithMessageIDDomain says otherwise.
const DefaultMessageIDDomain = "notarykit"

// commonFile is the name, inside a locale directory, of the file holding the
// layouts and partials shared by every kind of that locale.
const commonFile = "_common.tmpl"

// builtinFS holds the built-in templates: templates/<locale>/<kind>.tmpl and
// templates/<locale>/_common.tmpl.
//
//go:embed all:templates
var builtinFS embed.FS

// TemplateData is what a notice template is executed with. Every field of
// the notice's [notary.NoticeData] is promoted, so templates write
// {{.Reason}}, {{.RecordID}}, {{range .Evidence}}…{{end}} and so on.
type TemplateData struct {
	notary.NoticeData

	NoticeID   uuid.UUID
	Kind       notary.NoticeKind
	Channel    notary.Channel
	RecordKind notary.RecordKind
	To         notary.Recipient
	// ToOffice is true for office notices (To.UserID is empty): they are
	// addressed to the office's admin mailbox, not to a user.
	ToOffice bool
	// Locale is the locale whose templates are being executed.
	Locale    string
	CreatedAt time.Time
	// ReasonCode is the system reason code (notary.SystemReasons) the
	// notice carries, if any; Reason then holds its text in Locale. An
	// admin's typed reason leaves ReasonCode empty and Reason as typed.
	ReasonCode string
}

// RendererOption configures a Renderer.
type RendererOption func(*rendererConfig)

type rendererConfig struct {
	defaultLocale string
	overrides     fs.FS
	domain        string
}

// WithDefaultLocale sets the locale used for recipients whose locale is
// empty or has no templates (zh-CN unless set). NewRenderer fails if no
// templates exist for it.
func WithDefaultLocale(locale string) RendererOption {
	return func(c *rendererConfig) { c.defaultLocale = locale }
}

// WithTemplates overrides built-in templates with the files of fsys, laid
// out like the built-ins: <locale>/<kind>.tmpl (for example
// "en/filing.approved.tmpl") and <locale>/_common.tmpl. A file is parsed
// after the built-in files of its locale, so every template it defines
// ("subject", "body.text", "body.html", or the whole "text" and "html"
// layouts and the partials of _common.tmpl) replaces the built-in one of
// that name, and every template it leaves out stays built-in. A directory
// for a locale that has no built-in templates adds that locale; it must
// then define the layouts too. Files for unknown kinds are an error.
func WithTemplates(fsys fs.FS) RendererOption {
	return func(c *rendererConfig) { c.overrides = fsys }
}

// WithMessageIDDomain sets the right-hand side of the message IDs made by
// Render ("notarykit" unless set); use the host's mail domain.
func WithMessageIDDomain(domain string) RendererOption {
	return func(c *rendererConfig) { c.domain = domain }
}

// Renderer turns outbox notices into messages, with a template per notice
// kind and locale. It is safe for concurrent use.
type Renderer struct {
	defaultLocale string
	domain        string
	locales       []string // sorted
	sets          map[string]map[notary.NoticeKind]*templateSet
}

// templateSet holds the templates of one kind in one locale, parsed twice:
// as text for the subject and plain body, as HTML for the HTML body.
type templateSet struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

var funcs = map[string]any{
	// inc turns a zero-based index into a one-based list number.
	"inc": func(i int) int { return i + 1 },
	// cst shows a time in China Standard Time (UTC+8, the offices' time),
	// e.g. {{(cst .ConfirmBy).Format "2006-01-02"}}.
	"cst": func(t time.Time) time.Time { return t.In(chinaStandardTime) },
}

// chinaStandardTime is UTC+8 without daylight saving, fixed so no time zone
// database is needed.
var chinaStandardTime = time.FixedZone("CST", 8*60*60)

// NewRenderer parses the built-in templates and the host's overrides, and
// checks that every kind of every locale defines a subject, a text and an
// HTML body that execute against a complete notice.
func NewRenderer(opts ...RendererOption) (*Renderer, error) {
	cfg := rendererConfig{defaultLocale: DefaultLocale, domain: DefaultMessageIDDomain}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.domain == "" || strings.ContainsAny(cfg.domain, "<>@ \t\r\n") {
		return nil, fmt.Errorf("notify: invalid message ID domain %q", cfg.domain)
	}
	builtin, err := fs.Sub(builtinFS, "templates")
	if err != nil {
		return nil, err
	}
	sources := []fs.FS{builtin}
	if cfg.overrides != nil {
		if err := checkOverrides(cfg.overrides); err != nil {
			return nil, err
		}
		sources = append(sources, cfg.overrides)
	}

	var locales []string
	for _, src := range sources {
		dirs, err := localeDirs(src)
		if err != nil {
			return nil, err
		}
		for _, d := range dirs {
			if !slices.Contains(locales, d) {
				locales = append(locales, d)
			}
		}
	}
	slices.Sort(locales)

	r := &Renderer{
		domain:  cfg.domain,
		locales: locales,
		sets:    make(map[string]map[notary.NoticeKind]*templateSet, len(locales)),
	}
	for _, loc := range locales {
		kinds := make(map[notary.NoticeKind]*templateSet)
		for _, kind := range notary.NoticeKinds {
			set, err := parseSet(sources, loc, kind)
			if err != nil {
				return nil, err
			}
			if set != nil {
				kinds[kind] = set
			}
		}
		r.sets[loc] = kinds
	}

	def, ok := r.match(cfg.defaultLocale)
	if !ok || len(r.sets[def]) == 0 {
		return nil, fmt.Errorf("notify: no templates for default locale %q", cfg.defaultLocale)
	}
	r.defaultLocale = def
	for _, kind := range notary.NoticeKinds {
		if _, _, err := r.lookup(kind, ""); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Locales lists the locales the renderer has templates for, sorted.
func (r *Renderer) Locales() []string { return slices.Clone(r.locales) }

// Render renders n in its recipient's locale (n.To.Locale, matched
// case-insensitively and by language, so "en-US" uses "en" and "zh" uses
// "zh-CN"), falling back to the default locale and then to zh-CN when
// that locale has no template for n.Kind.
//
// The message's ID is "<notice ID>@<domain>" (for example
// "0191c7a0-…-7c1e@notarykit"): the same on every attempt, so receivers
// deduplicate redeliveries; the SMTP notifier sends it as the Message-ID.
// Text and HTML are filled for every channel; the in-site notifier stores
// Text. An unknown kind returns an error wrapping notary.ErrInvalidInput.
func (r *Renderer) Render(n notary.Notice) (notary.Message, error) {
	set, loc, err := r.lookup(n.Kind, n.To.Locale)
	if err != nil {
		return notary.Message{}, err
	}
	data := TemplateData{
		NoticeData: n.Data,
		NoticeID:   n.ID,
		Kind:       n.Kind,
		Channel:    n.Channel,
		RecordKind: n.RecordKind,
		To:         n.To,
		ToOffice:   n.To.UserID == "",
		Locale:     loc,
		CreatedAt:  n.CreatedAt,
	}
	if text := ReasonText(loc, data.Reason); text != data.Reason {
		data.ReasonCode, data.Reason = data.Reason, text
	}
	subject, text, html, err := set.execute(data)
	if err != nil {
		return notary.Message{}, fmt.Errorf("notify: render %s/%s for notice %s: %w", loc, n.Kind, n.ID, err)
	}
	return notary.Message{
		ID:        r.MessageID(n),
		NoticeID:  n.ID,
		OfficeID:  n.OfficeID,
		RecordID:  n.RecordID,
		CreatedAt: n.CreatedAt,
		Kind:      n.Kind,
		Channel:   n.Channel,
		To:        n.To,
		Subject:   subject,
		Text:      text,
		HTML:      html,
	}, nil
}

// MessageID returns the stable message ID of n: "<n.MessageID()>@<domain>".
func (r *Renderer) MessageID(n notary.Notice) string {
	return n.MessageID() + "@" + r.domain
}

// lookup finds the templates of kind for the wanted locale, falling back
// to the default locale and to DefaultLocale.
func (r *Renderer) lookup(kind notary.NoticeKind, want string) (*templateSet, string, error) {
	candidates := make([]string, 0, 3)
	if loc, ok := r.match(want); ok {
		candidates = append(candidates, loc)
	}
	candidates = append(candidates, r.defaultLocale, DefaultLocale)
	for _, loc := range candidates {
		if set := r.sets[loc][kind]; set != nil {
			return set, loc, nil
		}
	}
	return nil, "", &notary.FieldError{Field: "kind", Reason: fmt.Sprintf("no template for notice kind %q", kind)}
}

// match maps a requested locale onto an available one: an exact
// (case-insensitive, "_" or "-") match first, then the first available
// locale of the same language.
func (r *Renderer) match(want string) (string, bool) {
	want = strings.ReplaceAll(strings.TrimSpace(want), "_", "-")
	if want == "" {
		return "", false
	}
	for _, loc := range r.locales {
		if strings.EqualFold(loc, want) {
			return loc, true
		}
	}
	lang, _, _ := strings.Cut(want, "-")
	for _, loc := range r.locales {
		l, _, _ := strings.Cut(loc, "-")
		if strings.EqualFold(l, lang) {
			return loc, true
		}
	}
	return "", false
}

// execute runs the three templates of s.
func (s *templateSet) execute(data TemplateData) (subject, text, html string, err error) {
	var b bytes.Buffer
	if err := s.text.ExecuteTemplate(&b, "subject", data); err != nil {
		return "", "", "", err
	}
	subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err := s.text.ExecuteTemplate(&b, "text", data); err != nil {
		return "", "", "", err
	}
	text = tidyText(b.String())
	b.Reset()
	if err := s.html.ExecuteTemplate(&b, "html", data); err != nil {
		return "", "", "", err
	}
	html = strings.TrimSpace(b.String()) + "\n"
	return subject, text, html, nil
}

// tidyText strips trailing white space from each line, collapses runs of
// blank lines (left by optional sections) into one, and ends the text with
// exactly one newline.
func tidyText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n")) + "\n"
}

// parseSet parses the templates of kind in locale loc from every source
// that has them, later sources overriding earlier ones. It returns nil when
// no source has a file for the kind.
func parseSet(sources []fs.FS, loc string, kind notary.NoticeKind) (*templateSet, error) {
	type file struct{ name, body string }
	var files []file
	found := false
	for _, src := range sources {
		for _, name := range []string{commonFile, string(kind) + ".tmpl"} {
			p := path.Join(loc, name)
			b, err := fs.ReadFile(src, p)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("notify: read template %s: %w", p, err)
			}
			if name != commonFile {
				found = true
			}
			files = append(files, file{p, string(b)})
		}
	}
	if !found {
		return nil, nil
	}
	tt := texttemplate.New(string(kind)).Funcs(funcs)
	ht := htmltemplate.New(string(kind)).Funcs(funcs)
	for _, f := range files {
		if _, err := tt.New(f.name).Parse(f.body); err != nil {
			return nil, fmt.Errorf("notify: parse template %s: %w", f.name, err)
		}
		if _, err := ht.New(f.name).Parse(f.body); err != nil {
			return nil, fmt.Errorf("notify: parse template %s: %w", f.name, err)
		}
	}
	for _, name := range []string{"subject", "text", "html"} {
		if tt.Lookup(name) == nil {
			return nil, fmt.Errorf("notify: templates %s/%s do not define %q", loc, kind, name)
		}
	}
	set := &templateSet{text: tt, html: ht}
	// Execute once against a complete notice: this reports references to
	// fields that do not exist, HTML that cannot be escaped safely, and
	// escapes the HTML templates before concurrent use.
	if _, _, _, err := set.execute(sampleData(loc, kind)); err != nil {
		return nil, fmt.Errorf("notify: templates %s/%s: %w", loc, kind, err)
	}
	return set, nil
}

// localeDirs lists the top-level directories of fsys.
func localeDirs(fsys fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("notify: read templates: %w", err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// checkOverrides rejects files in an override tree that would never be
// used: anything but <locale>/_common.tmpl and <locale>/<known kind>.tmpl.
func checkOverrides(fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("notify: read templates: %w", err)
		}
		if p == "." {
			return nil
		}
		dir, name := path.Split(p)
		if d.IsDir() {
			if dir != "" {
				return fmt.Errorf("notify: template override %s: nested directories are not used", p)
			}
			return nil
		}
		if dir == "" {
			return fmt.Errorf("notify: template override %s: expected <locale>/<kind>.tmpl", p)
		}
		if name == commonFile {
			return nil
		}
		kind, ok := strings.CutSuffix(name, ".tmpl")
		if !ok || !slices.Contains(notary.NoticeKinds, notary.NoticeKind(kind)) {
			return fmt.Errorf("notify: template override %s: not %s or <kind>.tmpl of a known notice kind", p, commonFile)
		}
		return nil
	})
}

// sampleData is a notice with every field set, used to check templates.
func sampleData(loc string, kind notary.NoticeKind) TemplateData {
	return TemplateData{
		NoticeData: notary.NoticeData{
			OfficeName: "Office", RecordID: uuid.Nil, EnterpriseName: "Enterprise", Revision: 2,
			Reason: "reason", Evidence: []notary.Evidence{{ID: "e1", Title: "t", SHA256: strings.Repeat("0", 64)}},
			Amount: "1.00", Currency: "CNY", Materials: []string{"m"}, MailingAddress: "address",
			Carrier: "SF", TrackingNumber: "SF1", CertificateNumber: "C1", Automatic: true,
			DeliveredAt: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), ConfirmBy: time.Date(2026, 1, 9, 3, 4, 0, 0, time.UTC),
		},
		Kind: kind, Channel: notary.ChannelEmail, RecordKind: notary.KindApplication,
		To:     notary.Recipient{UserID: "u", Email: "u@example.com", Name: "U", Locale: loc},
		Locale: loc,
	}
}
