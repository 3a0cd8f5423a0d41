package sqlite

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// findQueries are one FindQuery per key of notary.ReviewIndex.
func findQueries() map[string]notary.FindQuery {
	office := uuid.New()
	return map[string]notary.FindQuery{
		"id":          {OfficeID: office, Limit: 10, ID: uuid.New()},
		"id suffix":   {OfficeID: office, Limit: 10, IDSuffix: "0123456789ab"},
		"short id":    {OfficeID: office, Limit: 10, IDSuffix: "56789ab"},
		"long id":     {OfficeID: office, Limit: 10, IDSuffix: "4567-0123456789ab"},
		"enterprise":  {OfficeID: office, Limit: 10, Enterprise: "深圳"},
		"name part":   {OfficeID: office, Limit: 10, Enterprise: "科技有限"},
		"credit code": {OfficeID: office, Limit: 10, CreditCode: "91350100M000100Y43"},
		"filing":      {OfficeID: office, Limit: 10, FilingID: uuid.New()},
		"tracking":    {OfficeID: office, Limit: 10, TrackingNumber: "SF1234567890123"},
		"certificate": {OfficeID: office, Limit: 10, CertificateNumber: "（2026）第 1 号"},
	}
}

// TestFindUsesIndexes checks with EXPLAIN QUERY PLAN that every lookup of
// ReviewIndex searches an index and never scans a table, so a search
// costs the same at a million records as at a thousand.
func TestFindUsesIndexes(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "plan.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	for name, q := range findQueries() {
		for table, build := range map[string]func(notary.FindQuery) (string, []any, error){
			"filings": findFilingsSQL, "applications": findApplicationsSQL,
		} {
			query, args, err := build(q)
			require.NoError(t, err)
			if query == "" {
				continue
			}
			plan := queryPlan(t, s, query, args)
			for _, step := range plan {
				// The trigram table is searched by its MATCH index (0:M…).
				searched := strings.HasPrefix(step, "SCAN filings_enterprise_fts VIRTUAL TABLE INDEX 0:M")
				assert.False(t, strings.HasPrefix(step, "SCAN ") && !searched, "%s on %s scans: %v", name, table, plan)
				assert.NotContains(t, step, "_office_created", "%s on %s walks the office: %v", name, table, plan)
			}
			assert.NotEmpty(t, plan)
			t.Logf("%s on %s: %v", name, table, plan)
		}
	}
	for _, st := range []string{"filings", "applications"} {
		var detail string
		var a, b, c int
		require.NoError(t, s.r.QueryRowContext(t.Context(), "EXPLAIN QUERY PLAN SELECT count(*) FROM "+st+" WHERE office_id = ? AND state = ?",
			"x", "y").Scan(&a, &b, &c, &detail))
		assert.Contains(t, detail, "USING COVERING INDEX", "counting %s", st)
	}
}

// queryPlan returns the detail column of EXPLAIN QUERY PLAN for query.
func queryPlan(t *testing.T, s *Store, query string, args []any) []string {
	t.Helper()
	rows, err := s.r.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	require.NoError(t, err)
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &notused, &detail))
		plan = append(plan, detail)
	}
	require.NoError(t, rows.Err())
	return plan
}

// TestInvoiceQueueUsesIndex: finance's invoice queue (notary.Invoices.Queue)
// searches the index of the invoice's state in its order: no scan, no
// sort.
func TestInvoiceQueueUsesIndex(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "plan.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	query, args, err := listQuery("applications", notary.ListQuery{OfficeID: uuid.New(),
		InvoiceStates: []string{string(notary.InvoiceRequested)}, Limit: 50})
	require.NoError(t, err)
	plan := queryPlan(t, s, query, args)
	require.NotEmpty(t, plan)
	for _, step := range plan {
		assert.False(t, strings.HasPrefix(step, "SCAN "), "scans: %v", plan)
		assert.NotContains(t, step, "TEMP B-TREE", "sorts: %v", plan)
	}
	assert.Contains(t, strings.Join(plan, "\n"), "applications_invoice_state", "%v", plan)
}
