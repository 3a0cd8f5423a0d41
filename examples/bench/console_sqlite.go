package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// The SQLite fixture loading of the console benchmark: the same records as
// on PostgreSQL, copied by INSERT … SELECT on a raw connection. SQLite has
// no md5(): copy g's ID is built with printf (see sqliteCopyID). ?1 count,
// ?2 seed ID, ?3 now (Unix seconds), ?4 the window count, ?5 the number of
// filings.
const (
	sqliteSeries  = `WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < ?1) `
	sqliteCreated = `strftime('%Y-%m-%dT%H:%M:%S', ?3 - CASE WHEN x <= ?4 THEN x * (31536000 / ?4)
	ELSE 31622400 + (x - ?4) * (315360000 / max(?1 - ?4, 1)) END, 'unixepoch') || '.000000000Z'`
	sqliteFilingID         = `printf('%08x-000f-4000-8000-%012x', x, (x * 2654435761) % 281474976710656)`
	sqliteFilingIDOf       = `printf('%08x-000f-4000-8000-%012x', x % ?5 + 1, ((x % ?5 + 1) * 2654435761) % 281474976710656)`
	sqliteAppID            = `printf('%08x-000a-4000-8000-%012x', x, (x * 2654435761) % 281474976710656)`
	consoleSQLiteFilingSQL = sqliteSeries + `INSERT INTO filings (id, office_id, owner_id, state, version, revision, created_at, updated_at, doc)
SELECT s.nid, office_id, owner_id || '-' || s.x, state, version, revision, s.c, s.c,
	json_set(doc, '$.id', s.nid, '$.content.enterprise_name', '测试' || s.x || '号科技有限公司', '$.content.credit_code', 'X' || s.x)
FROM (SELECT x, ` + sqliteFilingID + ` AS nid, ` + sqliteCreated + ` AS c FROM g) AS s, filings WHERE filings.id = ?2`
	consoleSQLiteAppsSQL = sqliteSeries + `INSERT INTO applications (id, office_id, owner_id, filing_id, state, version, idempotency_key,
	quote_amount, quote_currency, payment_id, created_at, updated_at, expires_at, doc)
SELECT s.nid, office_id, owner_id || (s.x % 997), s.fid, state, version, '', quote_amount, quote_currency, '', s.c, s.c, expires_at,
	json_set(doc, '$.id', s.nid, '$.filing_id', s.fid, '$.materials.tracking_number', 'SF' || (1000000000000 + s.x))
FROM (SELECT x, ` + sqliteAppID + ` AS nid, ` + sqliteFilingIDOf + ` AS fid, ` + sqliteCreated + ` AS c FROM g) AS s, applications
WHERE applications.id = ?2`
	consoleSQLiteEventsSQL = `INSERT INTO events (record_id, record_kind, office_id, seq, trigger_name, from_state, to_state,
	actor_kind, actor_id, actor_name, reason, at, prev_hash, hash)
SELECT a.id, 'application', a.office_id, v.seq, v.trig, v.f, v.t, 'admin', 'bench', 'bench', '',
	strftime('%Y-%m-%dT%H:%M:%S', unixepoch(substr(a.created_at, 1, 19)) + 60 + v.late * (a.rowid % 256) * 1020, 'unixepoch') || '.000000000Z', '', ''
FROM applications AS a, (SELECT 2 AS seq, 'payment_succeeded' AS trig, 'AwaitingPayment' AS f, 'PendingPreliminaryReview' AS t, 0 AS late
	UNION ALL SELECT 3, 'approve_preliminary', 'PendingPreliminaryReview', 'AwaitingMaterials', 1) AS v
WHERE a.id <> ?1`
)

// sqliteCopyID is the ID the SQLite fixture loading gives copy g of kind
// "f" (filings) or "a" (applications).
func sqliteCopyID(kind string, g int) uuid.UUID {
	group := "000f"
	if kind == "a" {
		group = "000a"
	}
	return uuid.MustParse(fmt.Sprintf("%08x-%s-4000-8000-%012x", g, group, (uint64(g)*2654435761)%(1<<48)))
}

// loadSQLite copies the seed filing and application into the SQLite file
// at path: filings filings, n-1 applications, two events each.
func loadSQLite(ctx context.Context, path string, filingID, seedID uuid.UUID, n, filings int, now time.Time) error {
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=synchronous(OFF)")
	if err != nil {
		return err
	}
	defer db.Close()
	for _, step := range []struct {
		sql  string
		args []any
	}{
		{consoleSQLiteFilingSQL, []any{filings, filingID.String(), now.Unix(), min(filings, consoleWindow/10)}},
		{consoleSQLiteAppsSQL, []any{n - 1, seedID.String(), now.Unix(), consoleWindow - 1, filings}},
		{consoleSQLiteEventsSQL, []any{seedID.String()}},
		{"ANALYZE", nil},
	} {
		if _, err := db.ExecContext(ctx, step.sql, step.args...); err != nil {
			return fmt.Errorf("fixture loading: %w", err)
		}
	}
	return nil
}
