package postgres_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/postgres"
	"github.com/notarykit/notarykit/notary"
)

// TestFindUsesIndexes checks with EXPLAIN that every lookup of
// ReviewIndex can be served by its own index (sequential scans off, as
// at a million rows the planner would choose): no lookup needs to read
// the table or the office's rows.
func TestFindUsesIndexes(t *testing.T) {
	_, url, schema := newStore(t)
	pool := schemaPool(t, url, schema)
	office := uuid.New()
	base := notary.FindQuery{OfficeID: office, Limit: 10}
	with := func(f func(*notary.FindQuery)) notary.FindQuery { q := base; f(&q); return q }
	for _, tc := range []struct {
		name   string
		q      notary.FindQuery
		build  func(notary.FindQuery) (string, []any, error)
		wanted []string
	}{
		{"filing by id", with(func(q *notary.FindQuery) { q.ID = uuid.New() }), postgres.FindFilingsSQL, []string{"filings_pkey"}},
		{"filing by id suffix", with(func(q *notary.FindQuery) { q.IDSuffix = "0123456789ab" }), postgres.FindFilingsSQL, []string{"filings_id_reverse_idx"}},
		{"filing by short id suffix", with(func(q *notary.FindQuery) { q.IDSuffix = "56789ab" }), postgres.FindFilingsSQL, []string{"filings_id_reverse_idx"}},
		{"filing by long id suffix", with(func(q *notary.FindQuery) { q.IDSuffix = "4567-0123456789ab" }), postgres.FindFilingsSQL, []string{"filings_id_reverse_idx"}},
		{"enterprise start", with(func(q *notary.FindQuery) { q.Enterprise = "深圳" }), postgres.FindFilingsSQL, []string{"filings_enterprise_idx"}},
		{"enterprise part", with(func(q *notary.FindQuery) { q.Enterprise = "科技有限" }), postgres.FindFilingsSQL, []string{"filings_enterprise_trgm_idx"}},
		{"credit code", with(func(q *notary.FindQuery) { q.CreditCode = "91350100M000100Y43" }), postgres.FindFilingsSQL, []string{"filings_credit_code_idx"}},
		{"application by id", with(func(q *notary.FindQuery) { q.ID = uuid.New() }), postgres.FindApplicationsSQL, []string{"applications_pkey"}},
		{"application by id suffix", with(func(q *notary.FindQuery) { q.IDSuffix = "89ab" + "cdef01" }), postgres.FindApplicationsSQL, []string{"applications_id_reverse_idx"}},
		{"filing's applications", with(func(q *notary.FindQuery) { q.FilingID = uuid.New() }), postgres.FindApplicationsSQL, []string{"applications_filing_idx"}},
		{"tracking", with(func(q *notary.FindQuery) { q.TrackingNumber = "SF1234567890123" }), postgres.FindApplicationsSQL,
			[]string{"applications_materials_tracking_idx", "applications_certificate_tracking_idx"}},
		{"certificate", with(func(q *notary.FindQuery) { q.CertificateNumber = "（2026）第 1 号" }), postgres.FindApplicationsSQL, []string{"applications_certificate_number_idx"}},
		// Finance's invoice queue (notary.Invoices.Queue), a listing.
		{"invoice queue", base, func(notary.FindQuery) (string, []any, error) {
			return postgres.ListApplicationsSQL(notary.ListQuery{OfficeID: office, InvoiceStates: []string{string(notary.InvoiceRequested)}, Limit: 50})
		}, []string{"applications_invoice_state_idx"}},
	} {
		query, args, err := tc.build(tc.q)
		require.NoError(t, err, tc.name)
		tx, err := pool.Begin(t.Context())
		require.NoError(t, err)
		_, err = tx.Exec(t.Context(), "SET LOCAL enable_seqscan = off")
		require.NoError(t, err)
		rows, err := tx.Query(t.Context(), "EXPLAIN "+query, args...)
		require.NoError(t, err, tc.name)
		var plan []string
		for rows.Next() {
			var line string
			require.NoError(t, rows.Scan(&line))
			plan = append(plan, line)
		}
		require.NoError(t, rows.Err())
		require.NoError(t, tx.Rollback(t.Context()))
		all := strings.Join(plan, "\n")
		assert.NotContains(t, all, "Seq Scan", "%s:\n%s", tc.name, all)
		assert.NotContains(t, all, "_office_idx", "%s walks the office:\n%s", tc.name, all)
		if tc.name == "invoice queue" {
			assert.NotContains(t, all, "Sort", "the queue reads the index in its order:\n%s", all)
		}
		for _, idx := range tc.wanted {
			assert.Contains(t, all, idx, "%s:\n%s", tc.name, all)
		}
	}
}
