package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// The schema's triggers keep the audit trail append-only: no UPDATE, DELETE
// or TRUNCATE of events (nor a TRUNCATE of the transparency log) succeeds,
// whoever sends it, and the store reports the refusal as
// notary.ErrForbidden. The trail is unchanged afterwards.
func TestAuditTrailIsAppendOnly(t *testing.T) {
	st, url, schema := newStore(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	svc, err := notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{ID: uuid.New(), Name: "Append-only Office", AdminEmails: []string{"desk@office.example"},
			MailingAddress: "1 Notary Road"},
		Store: st, Payments: notarytest.NewPayments(), Clock: notarytest.NewClock(base),
	})
	require.NoError(t, err)
	f, err := svc.Filings.Submit(ctx, notary.User{ID: "u-1", Email: "u1@example.com", Name: "用户"}, notarytest.FilingContent())
	require.NoError(t, err)
	before, err := st.Events(ctx, f.ID)
	require.NoError(t, err)
	require.NotEmpty(t, before)

	pool := schemaPool(t, url, schema)
	for _, tc := range []struct {
		name, sql string
		args      []any
	}{
		{"update one column", `UPDATE events SET reason = 'rewritten' WHERE record_id = $1`, []any{f.ID}},
		{"update the hash chain", `UPDATE events SET hash = prev_hash WHERE record_id = $1`, []any{f.ID}},
		{"delete the record's events", `DELETE FROM events WHERE record_id = $1`, []any{f.ID}},
		{"delete every event", `DELETE FROM events`, nil},
		{"truncate", `TRUNCATE events`, nil},
		{"truncate the log", `TRUNCATE log_leaves, log_hashes, log_checkpoints`, nil},
		{"truncate the log's batches", `TRUNCATE log_batches`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := st.ExecRaw(ctx, tc.sql, tc.args...)
			require.ErrorIs(t, err, notary.ErrForbidden, "through the store's error translation")

			// The trigger itself refuses, also behind the store's back.
			_, err = pool.Exec(ctx, tc.sql, tc.args...)
			var pe *pgconn.PgError
			require.True(t, errors.As(err, &pe), "got %v", err)
			assert.Equal(t, "NK405", pe.Code)
			assert.Contains(t, pe.Message, "append-only")
		})
	}

	after, err := st.Events(ctx, f.ID)
	require.NoError(t, err)
	assert.Equal(t, before, after, "the trail is unchanged")
	stored, err := st.Filing(ctx, f.ID)
	require.NoError(t, err)
	require.NoError(t, notary.VerifyChain(f.ID, after, stored.AuditHead))
	// Appending still works: the triggers refuse only rewriting.
	g, err := svc.Filings.Submit(ctx, notary.User{ID: "u-2", Email: "u2@example.com", Name: "用户"}, notarytest.FilingContent())
	require.NoError(t, err)
	appended, err := st.Events(ctx, g.ID)
	require.NoError(t, err)
	assert.Len(t, appended, 1)
}
