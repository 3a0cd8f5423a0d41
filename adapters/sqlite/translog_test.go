package sqlite_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/sqlite"
	"github.com/notarykit/notarykit/notary/translog"
)

// A database made before the transparency log existed (schema version 1)
// gets its stored events queued by the migration, in the order they were
// stored, so the first sequencing logs the whole history.
func TestLogMigrationQueuesEarlierEvents(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sqlite.Migrations(),
		goose.WithTableName(sqlite.MigrationTable), goose.WithDisableGlobalRegistry(true))
	require.NoError(t, err)
	_, err = p.UpTo(ctx, 1)
	require.NoError(t, err)
	office := uuid.New()
	recs := []uuid.UUID{uuid.New(), uuid.New()}
	for i, r := range []uuid.UUID{recs[0], recs[1], recs[0]} {
		seq := 1
		if i == 2 {
			seq = 2
		}
		_, err := db.ExecContext(ctx, `INSERT INTO events (id, record_id, record_kind, office_id, seq, trigger_name,
	from_state, to_state, actor_kind, actor_id, actor_name, reason, at, prev_hash, hash)
VALUES (?, ?, 'application', ?, ?, 't', 'A', 'B', 'user', 'u', '', '', '2026-01-02T03:04:05.000000000Z', '', ?)`,
			uuid.NewString(), r.String(), office.String(), seq, fmt.Sprintf("%064x", i+1))
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())

	s, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	n, err := s.SequenceLog(ctx, office, 10, translog.Integrate)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	leaves, err := s.LogLeaves(ctx, office, 0, 10)
	require.NoError(t, err)
	require.Len(t, leaves, 3)
	assert.Equal(t, []uuid.UUID{recs[0], recs[1], recs[0]}, []uuid.UUID{leaves[0].RecordID, leaves[1].RecordID, leaves[2].RecordID})
	assert.Equal(t, []int64{1, 1, 2}, []int64{leaves[0].Seq, leaves[1].Seq, leaves[2].Seq})
}
