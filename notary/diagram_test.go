package notary_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

var update = flag.Bool("update", false, "rewrite golden files and the README's diagrams and notice matrix")

// TestDiagramsGolden fails when a lifecycle's generated diagrams drift from
// the committed ones, in testdata and in the README. Run
// `go test ./notary -run Diagrams -update` after changing a lifecycle.
func TestDiagramsGolden(t *testing.T) {
	diagrams := map[string]string{
		"filing.mmd":      notary.FilingLifecycle.Mermaid(),
		"filing.dot":      notary.FilingLifecycle.DOT(),
		"application.mmd": notary.ApplicationLifecycle.Mermaid(),
		"application.dot": notary.ApplicationLifecycle.DOT(),
		"invoice.mmd":     notary.InvoiceLifecycle.Mermaid(),
		"invoice.dot":     notary.InvoiceLifecycle.DOT(),
		"notices.md":      notary.Notices.Markdown(),
	}
	for name, got := range diagrams {
		path := filepath.Join("testdata", "diagrams", name)
		if *update {
			require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
			require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, string(want), got, "%s drifted; run with -update", name)
	}

	// README sections between "<!-- marker:begin -->" and "<!-- marker:end -->".
	sections := map[string]string{
		"filing-lifecycle":      "```mermaid\n" + diagrams["filing.mmd"] + "```\n",
		"application-lifecycle": "```mermaid\n" + diagrams["application.mmd"] + "```\n",
		"invoice-lifecycle":     "```mermaid\n" + diagrams["invoice.mmd"] + "```\n",
		"notice-matrix":         diagrams["notices.md"],
	}
	readme := filepath.Join("..", "README.md")
	b, err := os.ReadFile(readme)
	require.NoError(t, err)
	text := string(b)
	for marker, block := range sections {
		begin, end := "<!-- "+marker+":begin -->\n", "<!-- "+marker+":end -->"
		i, j := strings.Index(text, begin), strings.Index(text, end)
		require.True(t, i >= 0 && j > i, "README lacks the %s markers", marker)
		if *update {
			text = text[:i+len(begin)] + block + text[j:]
			continue
		}
		assert.Equal(t, block, text[i+len(begin):j], "README's %s drifted; run with -update", marker)
	}
	if *update {
		require.NoError(t, os.WriteFile(readme, []byte(text), 0o644))
	}
}

func TestMermaidListsEveryRule(t *testing.T) {
	m := notary.ApplicationLifecycle.Mermaid()
	for _, r := range notary.ApplicationLifecycle.Rules() {
		assert.Contains(t, m, string(r.From)+" --> "+string(r.To)+": "+string(r.Trigger))
	}
	assert.Contains(t, m, "[*] --> New")
	assert.Contains(t, m, "Completed --> [*]")
	dot := notary.FilingLifecycle.DOT()
	assert.True(t, strings.HasPrefix(dot, "digraph"), dot)
	for _, tr := range notary.FilingLifecycle.Triggers() {
		assert.Contains(t, dot, string(tr))
	}
}
