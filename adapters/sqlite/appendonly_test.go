package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// The schema's triggers keep the audit trail append-only: no UPDATE or
// DELETE of an event succeeds, whoever sends it, and the store reports the
// refusal as notary.ErrForbidden. The trail is unchanged afterwards.
func TestAuditTrailIsAppendOnly(t *testing.T) {
	t.Parallel()
	st, path := openFile(t)
	ctx := context.Background()
	svc, err := notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{ID: uuid.New(), Name: "Append-only Office", AdminEmails: []string{"desk@office.example"},
			MailingAddress: "1 Notary Road"},
		Store: st, Payments: notarytest.NewPayments(),
		Clock: notarytest.NewClock(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)),
	})
	require.NoError(t, err)
	f, err := svc.Filings.Submit(ctx, notary.User{ID: "u-1", Email: "u1@example.com", Name: "用户"}, notarytest.FilingContent())
	require.NoError(t, err)
	before, err := st.Events(ctx, f.ID)
	require.NoError(t, err)
	require.NotEmpty(t, before)

	raw, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, raw.Close()) })
	for _, tc := range []struct {
		name, sql string
		args      []any
	}{
		{"update one column", `UPDATE events SET reason = 'rewritten' WHERE record_id = ?`, []any{f.ID.String()}},
		{"update the hash chain", `UPDATE events SET hash = prev_hash WHERE record_id = ?`, []any{f.ID.String()}},
		{"delete the record's events", `DELETE FROM events WHERE record_id = ?`, []any{f.ID.String()}},
		{"delete every event", `DELETE FROM events`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := st.ExecRaw(ctx, tc.sql, tc.args...)
			require.ErrorIs(t, err, notary.ErrForbidden, "through the store's error translation")

			// The trigger itself refuses, also behind the store's back.
			_, err = raw.ExecContext(ctx, tc.sql, tc.args...)
			var se *sqlite.Error
			require.True(t, errors.As(err, &se), "got %v", err)
			assert.Equal(t, sqlite3.SQLITE_CONSTRAINT_TRIGGER, se.Code())
			assert.Contains(t, se.Error(), "append-only")
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
