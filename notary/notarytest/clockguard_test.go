package notarytest_test

// The clock guard: a test that reads every test of the module and fails
// when a package's tests fix a date while building a component that would
// read the real clock. A fixed date next to the real clock passes on the
// day the test is written and fails on some later day, as
// TestCloseStopsDeliveries in adapters/mockpay once did (its payment
// expired 30 minutes after a fixed t0, on a provider that ran on the real
// clock). CONTRIBUTING.md ("Time in tests") describes the rule.

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/notarykit/notarykit"

// clockReader is a component that reads the clock and whose options
// struct has a field that sets it.
type clockReader struct {
	pkg   string // import path
	typ   string // the options type
	field string // the field that sets the clock
}

// clockReaders are the components whose clock decides what they do — when
// a payment expires or a signature is stale, when a notice is due, when a
// session ends — and that fall back to the real clock when not given one.
// Add every new one here. (notify.NewRelay is not here: it has no
// fallback, its clock is a required argument.)
var clockReaders = []clockReader{
	{pkg: module + "/notary", typ: "Config", field: "Clock"},
	{pkg: module + "/adapters/mockpay", typ: "Options", field: "Clock"},
	{pkg: module + "/adapters/mockpay", typ: "ClientOptions", field: "Clock"},
	{pkg: module + "/examples/hostapp", typ: "Config", field: "Clock"},
}

// wallClocks are the values that mean "the real clock" when given as a
// clock: they count as no clock at all.
var wallClocks = map[string]bool{"nil": true, "time.Now": true}

// realClockNote is how a test says that one construction runs on the real
// clock on purpose: a comment on its line or the line before, starting
// with the note and followed by the reason, e.g.
//
//	// clockguard: real clock: runs the app the way main does
const realClockNote = "clockguard: real clock"

// finding is one construction of a clock reader without the test's clock.
type finding struct {
	pos  token.Position
	what string
}

func (f finding) String() string {
	return fmt.Sprintf("%s:%d: %s", f.pos.Filename, f.pos.Line, f.what)
}

// testPackage is the test files of one directory: its package and its
// external _test package.
type testPackage struct {
	importPath string
	files      []*ast.File
	src        map[string][]byte // by file name
}

// checkPackage returns the constructions of clock readers in p that do
// not get a clock and carry no real-clock note, when p's tests fix a date
// anywhere; otherwise none.
func checkPackage(fset *token.FileSet, p testPackage) []finding {
	fixed := false
	for _, f := range p.files {
		if fixesADate(f) {
			fixed = true
			break
		}
	}
	if !fixed {
		return nil
	}
	var out []finding
	for _, f := range p.files {
		imports := importNames(f)
		noted := realClockNotes(fset, f, p.src[fset.Position(f.Pos()).Filename])
		// resolve names the package an expression's identifier refers to:
		// an import, or p's own package for an unqualified name in the
		// package itself.
		resolve := func(e ast.Expr) (pkg, name string, ok bool) {
			switch e := e.(type) {
			case *ast.Ident:
				return p.importPath, e.Name, !strings.HasSuffix(f.Name.Name, "_test")
			case *ast.SelectorExpr:
				if x, isIdent := e.X.(*ast.Ident); isIdent && imports[x.Name] != "" {
					return imports[x.Name], e.Sel.Name, true
				}
			}
			return "", "", false
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			pkg, name, ok := resolve(lit.Type)
			if !ok {
				return true
			}
			for _, r := range clockReaders {
				if r.pkg != pkg || r.typ != name {
					continue
				}
				pos := fset.Position(lit.Pos())
				if v, set := fieldValue(lit, r.field); (!set || wallClocks[exprString(v)]) && !noted[pos.Line] {
					out = append(out, finding{pos, fmt.Sprintf("%s.%s without the test's %s", path.Base(pkg), name, r.field)})
				}
			}
			return true
		})
	}
	return out
}

// fixesADate reports whether f builds a fixed point in time: time.Date
// with a literal year, time.Parse or time.ParseInLocation of a literal, or
// time.Unix of a literal other than 0.
func fixesADate(f *ast.File) bool {
	tm := ""
	for name, p := range importNames(f) {
		if p == "time" {
			tm = name
		}
	}
	if tm == "" {
		return false
	}
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || found {
			return !found
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); !ok || x.Name != tm {
			return true
		}
		lit := func(i int) *ast.BasicLit {
			if i < len(call.Args) {
				if b, ok := call.Args[i].(*ast.BasicLit); ok {
					return b
				}
			}
			return nil
		}
		switch sel.Sel.Name {
		case "Date":
			found = lit(0) != nil
		case "Parse", "ParseInLocation":
			found = lit(1) != nil
		case "Unix", "UnixMilli", "UnixMicro":
			found = lit(0) != nil && lit(0).Value != "0"
		}
		return !found
	})
	return found
}

// realClockNotes returns the lines of f (whose source is src) that a
// real-clock note with a reason covers: its own line, and the next one
// when the note is alone on its line.
func realClockNotes(fset *token.FileSet, f *ast.File, src []byte) map[int]bool {
	out := map[int]bool{}
	for _, g := range f.Comments {
		for _, c := range g.List {
			text := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(c.Text, "//"), "/*"))
			reason, ok := strings.CutPrefix(text, realClockNote)
			if !ok || strings.Trim(reason, " :—-,.*/") == "" {
				continue
			}
			pos := fset.Position(c.Pos())
			out[pos.Line] = true
			if lineStart := pos.Offset - (pos.Column - 1); strings.TrimSpace(string(src[lineStart:pos.Offset])) == "" {
				out[pos.Line+1] = true
			}
		}
	}
	return out
}

// importNames maps the names a file refers to its imports by to their
// paths.
func importNames(f *ast.File) map[string]string {
	out := map[string]string{}
	for _, im := range f.Imports {
		p, err := strconv.Unquote(im.Path.Value)
		if err != nil {
			continue
		}
		name := path.Base(p)
		if strings.HasPrefix(name, "v") && strings.Trim(name[1:], "0123456789") == "" {
			name = path.Base(path.Dir(p)) // a major version suffix
		}
		if im.Name != nil {
			name = im.Name.Name
		}
		out[name] = p
	}
	return out
}

// fieldValue returns the value a keyed composite literal gives field.
func fieldValue(lit *ast.CompositeLit, field string) (ast.Expr, bool) {
	for _, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if k, ok := kv.Key.(*ast.Ident); ok && k.Name == field {
				return kv.Value, true
			}
		}
	}
	return nil, false
}

// exprString renders the identifiers and selectors the guard compares
// with wallClocks; anything else renders as "".
func exprString(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		if x := exprString(e.X); x != "" {
			return x + "." + e.Sel.Name
		}
	}
	return ""
}

// moduleTests parses every _test.go file of the module under root, per
// directory.
func moduleTests(t *testing.T, fset *token.FileSet, root string) []testPackage {
	t.Helper()
	byDir := map[string]*testPackage{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_") || d.Name() == "testdata" || d.Name() == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, p, src, parser.SkipObjectResolution|parser.ParseComments)
		if err != nil {
			return err
		}
		dir := filepath.Dir(p)
		if byDir[dir] == nil {
			rel, err := filepath.Rel(root, dir)
			if err != nil {
				return err
			}
			byDir[dir] = &testPackage{importPath: path.Join(module, filepath.ToSlash(rel)), src: map[string][]byte{}}
		}
		byDir[dir].files = append(byDir[dir].files, f)
		byDir[dir].src[p] = src
		return nil
	})
	require.NoError(t, err)
	out := make([]testPackage, 0, len(byDir))
	for _, p := range byDir {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].importPath < out[j].importPath })
	return out
}

// moduleRoot is the directory of the module's go.mod, checked to be this
// module's.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if f, err := os.Open(filepath.Join(dir, "go.mod")); err == nil {
			s := bufio.NewScanner(f)
			s.Scan()
			_ = f.Close()
			require.Equal(t, "module "+module, strings.TrimSpace(s.Text()))
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "no go.mod above the test")
		dir = parent
	}
}

// TestFixedDatesGetTheTestsClock is the guard over the whole module.
func TestFixedDatesGetTheTestsClock(t *testing.T) {
	root := moduleRoot(t)
	fset := token.NewFileSet()
	pkgs := moduleTests(t, fset, root)
	require.Greater(t, len(pkgs), 10, "the walk found the module's tests")
	fixed := 0
	var found []string
	for _, p := range pkgs {
		for _, f := range p.files {
			if fixesADate(f) {
				fixed++
				break
			}
		}
		for _, f := range checkPackage(fset, p) {
			rel, _ := filepath.Rel(root, f.pos.Filename)
			f.pos.Filename = filepath.ToSlash(rel)
			found = append(found, f.String())
		}
	}
	require.Greater(t, fixed, 5, "packages whose tests fix a date were found")
	if len(found) > 0 {
		t.Errorf("these tests fix a date but build a component on the real clock: give it the test's clock, "+
			"or date the whole package's tests from time.Now() (CONTRIBUTING.md, \"Time in tests\"):\n%s", strings.Join(found, "\n"))
	}
}

// TestClockGuard runs the guard over small packages, the first the shape
// of the bug it exists for.
func TestClockGuard(t *testing.T) {
	const pkg = module + "/adapters/mockpay"
	for _, tt := range []struct {
		name  string
		files []string
		want  []string // "file:line: what" of each finding
	}{{
		name: "TestCloseStopsDeliveries as it was",
		files: []string{`package mockpay_test
import ("time"; "github.com/notarykit/notarykit/notary/notarytest")
var t0 = time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC)
var clock = notarytest.NewClock(t0)`, `package mockpay_test
import "github.com/notarykit/notarykit/adapters/mockpay"
func TestCloseStopsDeliveries(t *testing.T) {
	p := mockpay.New(mockpay.Options{Secret: secret, NotifyURL: host.URL})
	_ = p
}`},
		want: []string{"f1.go:4: mockpay.Options without the test's Clock"},
	}, {
		name: "the fix",
		files: []string{`package mockpay_test
import "time"
var t0 = time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC)`, `package mockpay_test
import "github.com/notarykit/notarykit/adapters/mockpay"
func TestCloseStopsDeliveries(t *testing.T) {
	p := mockpay.New(mockpay.Options{Secret: secret, NotifyURL: host.URL, Clock: notarytest.NewClock(t0).Now})
}`},
	}, {
		name: "no fixed date: the real clock is fine",
		files: []string{`package mockpay_test
import ("time"; "github.com/notarykit/notarykit/adapters/mockpay")
func TestX(t *testing.T) {
	p := mockpay.New(mockpay.Options{})
	c := mockpay.NewClient(mockpay.ClientOptions{})
	_ = time.Now().Add(time.Hour)
}`},
	}, {
		name: "the wall clock named is no clock",
		files: []string{`package mockpay_test
import ("time"; pay "github.com/notarykit/notarykit/adapters/mockpay")
var at, _ = time.Parse(time.RFC3339, "2026-11-30T09:00:00Z")
func TestX(t *testing.T) {
	c := pay.NewClient(pay.ClientOptions{Clock: time.Now})
	c = pay.NewClient(pay.ClientOptions{Clock: nil})
	c = pay.NewClient(pay.ClientOptions{Clock: clock.Now})
}`},
		want: []string{
			"f0.go:5: mockpay.ClientOptions without the test's Clock",
			"f0.go:6: mockpay.ClientOptions without the test's Clock",
		},
	}, {
		name: "the real clock on purpose, with a reason",
		files: []string{`package mockpay_test
import ("time"; "github.com/notarykit/notarykit/adapters/mockpay")
var t0 = time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC)
func TestX(t *testing.T) {
	// clockguard: real clock: nothing this provider does is dated
	a := mockpay.New(mockpay.Options{})
	b := mockpay.New(mockpay.Options{}) // clockguard: real clock, the way main runs it
	c := mockpay.New(mockpay.Options{}) // clockguard: real clock
	d := mockpay.New(mockpay.Options{}) // real clock
}`},
		want: []string{
			"f0.go:8: mockpay.Options without the test's Clock",
			"f0.go:9: mockpay.Options without the test's Clock",
		},
	}, {
		name: "an internal test's own options, and the service's",
		files: []string{`package mockpay
import ("time"; "github.com/notarykit/notarykit/notary")
var t0 = time.Unix(1764493200, 0)
func TestX(t *testing.T) {
	p := New(Options{Secret: secret})
	svc, _ := notary.New(notary.Config{InsecureDevKeys: true, Store: st})
	svc, _ = notary.New(notary.Config{InsecureDevKeys: true, Store: st, Clock: clock})
	_ = time.Unix(0, 0)
}`},
		want: []string{
			"f0.go:5: mockpay.Options without the test's Clock",
			"f0.go:6: notary.Config without the test's Clock",
		},
	}, {
		name: "time.Unix(0, 0) fixes no date",
		files: []string{`package mockpay_test
import ("time"; "github.com/notarykit/notarykit/adapters/mockpay")
var zero = time.Unix(0, 0)
var p = mockpay.New(mockpay.Options{})`},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			fset := token.NewFileSet()
			p := testPackage{importPath: pkg, src: map[string][]byte{}}
			for i, src := range tt.files {
				name := fmt.Sprintf("f%d.go", i)
				f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution|parser.ParseComments)
				require.NoError(t, err)
				p.files = append(p.files, f)
				p.src[name] = []byte(src)
			}
			var got []string
			for _, f := range checkPackage(fset, p) {
				got = append(got, f.String())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
