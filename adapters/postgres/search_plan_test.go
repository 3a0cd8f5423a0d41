package postgres_test

import (
	"crypto/md5"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
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
		all := explain(t, pool, query, args)
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

// explain returns the plan of query with sequential scans off, as at a
// million rows the planner would choose.
func explain(t *testing.T, pool *pgxpool.Pool, query string, args []any) string {
	t.Helper()
	tx, err := pool.Begin(t.Context())
	require.NoError(t, err)
	defer func() { require.NoError(t, tx.Rollback(t.Context())) }()
	_, err = tx.Exec(t.Context(), "SET LOCAL enable_seqscan = off")
	require.NoError(t, err)
	rows, err := tx.Query(t.Context(), "EXPLAIN "+query, args...)
	require.NoError(t, err, query)
	var plan []string
	for rows.Next() {
		var line string
		require.NoError(t, rows.Scan(&line))
		plan = append(plan, line)
	}
	require.NoError(t, rows.Err())
	return strings.Join(plan, "\n")
}

// TestHostEventsUseIndexes checks with EXPLAIN that both host event
// listings read indexes: a record's, its audit trail's key and the
// outbox's per-record index, not the office's; an office's, the events'
// and the outbox's (office, xid) indexes, in their order.
func TestHostEventsUseIndexes(t *testing.T) {
	_, url, schema := newStore(t)
	pool := schemaPool(t, url, schema)
	office := uuid.New()
	// One office's audit trail of 20,000 events, statistics taken: a
	// record's listing must not walk the office's.
	_, err := pool.Exec(t.Context(), `INSERT INTO events (record_id, seq, id, record_kind, office_id, trigger, from_state,
	to_state, actor_kind, actor_id, actor_name, reason, at, prev_hash, hash, host)
SELECT md5('rec' || (i / 5))::uuid, i % 5 + 1, md5('ev' || i)::uuid, 'application', $1, 'submit', 'A', 'B',
	'user', 'u', 'u', '', now(), '', md5('ev' || i), '{}'
FROM generate_series(0, 19999) AS i`, office)
	require.NoError(t, err)
	_, err = pool.Exec(t.Context(), "ANALYZE events")
	require.NoError(t, err)
	args := []any{office, "0", int64(-1), 50, "18446744073709551615"}
	for _, tc := range []struct {
		name             string
		query            string
		args             []any
		wanted, unwanted []string
	}{
		{"record", postgres.RecordHostEventsSQL, append(args, uuid.UUID(md5.Sum([]byte("rec7")))),
			[]string{"events_record_seq_key", "outbox_host_record_idx"}, []string{"events_log_idx", "outbox_host_idx"}},
		{"office", postgres.HostEventsSQL, args, []string{"outbox_host_idx"}, []string{"Bitmap"}},
	} {
		all := explain(t, pool, tc.query, tc.args)
		assert.NotContains(t, all, "Seq Scan", "%s:\n%s", tc.name, all)
		assert.NotContains(t, all, "(h.xid)::text", "%s merges by transaction ID, not its decimal text:\n%s", tc.name, all)
		for _, unwanted := range tc.unwanted {
			assert.NotContains(t, all, unwanted, "%s:\n%s", tc.name, all)
		}
		for _, idx := range tc.wanted {
			assert.Contains(t, all, idx, "%s:\n%s", tc.name, all)
		}
	}
}
