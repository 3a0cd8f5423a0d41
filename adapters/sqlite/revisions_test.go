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

	sqlitestore "github.com/notarykit/notarykit/adapters/sqlite"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// revisionsMigration is the version of migrations/NNNNN_filing_revisions.sql.
const revisionsMigration = "7"

var revClock = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// revisionService is a service on st with a logged-in supervisor.
func revisionService(t *testing.T, st notary.Store) (*notary.Service, notary.Admin) {
	t.Helper()
	ctx := context.Background()
	svc, err := notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{ID: uuid.New(), Name: "Revisions Office", AdminEmails: []string{"desk@office.example"},
			MailingAddress: "1 Notary Road"},
		Store: st, Payments: notarytest.NewPayments(), Clock: notarytest.NewClock(revClock),
	})
	require.NoError(t, err)
	_, err = svc.Admins.Bootstrap(ctx, "head@office.example", "Head", "correct horse battery staple")
	require.NoError(t, err)
	token, _, err := svc.Admins.Login(ctx, "head@office.example", "correct horse battery staple")
	require.NoError(t, err)
	admin, err := svc.Admins.Authenticate(ctx, token)
	require.NoError(t, err)
	return svc, admin
}

// The schema keeps filing revisions append-only: only their personal
// fields may be rewritten (erasure, resealing), nothing is deleted.
func TestFilingRevisionsAreAppendOnly(t *testing.T) {
	t.Parallel()
	st, path := openFile(t)
	ctx := context.Background()
	svc, _ := revisionService(t, st)
	f, err := svc.Filings.Submit(ctx, notary.User{ID: "u-1", Email: "u1@example.com", Name: "用户"}, notarytest.FilingContent())
	require.NoError(t, err)
	before, err := st.FilingRevisions(ctx, f.ID)
	require.NoError(t, err)
	require.Len(t, before, 1)

	raw, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, raw.Close()) })
	id := f.ID.String()
	for _, tc := range []struct{ name, sql string }{
		{"renumber", `UPDATE filing_revisions SET number = 7 WHERE filing_id = ?`},
		{"move in time", `UPDATE filing_revisions SET submitted_at = '2020-01-01T00:00:00.000000000Z' WHERE filing_id = ?`},
		{"change the author", `UPDATE filing_revisions SET actor_id = 'someone' WHERE filing_id = ?`},
		{"change what was filed", `UPDATE filing_revisions SET content = json_set(content, '$.enterprise_name', 'Forged') WHERE filing_id = ?`},
		{"delete", `DELETE FROM filing_revisions WHERE filing_id = ?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, st.ExecRaw(ctx, tc.sql, id), notary.ErrForbidden)
			_, err := raw.ExecContext(ctx, tc.sql, id)
			var se *sqlite.Error
			require.True(t, errors.As(err, &se), "got %v", err)
			assert.Equal(t, sqlite3.SQLITE_CONSTRAINT_TRIGGER, se.Code())
		})
	}
	after, err := st.FilingRevisions(ctx, f.ID)
	require.NoError(t, err)
	assert.Equal(t, before, after)

	// Erasing a personal field is a rewrite the schema allows.
	require.NoError(t, st.ExecRaw(ctx, `UPDATE filing_revisions SET content = json_remove(json_set(content,
		'$.legal_rep.name', '[erased]', '$.contact_phone', '[erased]'), '$.legal_rep.id_lookup') WHERE filing_id = ?`, id))
	erased, err := st.FilingRevision(ctx, f.ID, 1)
	require.NoError(t, err)
	assert.Equal(t, notary.Erased, erased.Content.LegalRep.Name)
	assert.Empty(t, erased.Content.LegalRep.IDLookup)
}

// A database whose filings were stored before revisions were kept gets
// each filing's current content, and the content in force when an
// amendment replaced it, as revisions filed by the events that filed them.
func TestRevisionMigrationBackfills(t *testing.T) {
	t.Parallel()
	st, path := openFile(t)
	ctx := context.Background()
	svc, admin := revisionService(t, st)
	alice := notary.User{ID: "u-1", Email: "u1@example.com", Name: "用户甲"}
	f, err := svc.Filings.Submit(ctx, alice, notarytest.FilingContent())
	require.NoError(t, err)
	f, err = svc.Reviews.ApproveFiling(ctx, admin, f.ID, f.Version)
	require.NoError(t, err)
	amended := notarytest.FilingContent()
	amended.EnterpriseName = "Renamed Co., Ltd."
	f, err = svc.Filings.Amend(ctx, alice, f.ID, amended)
	require.NoError(t, err)
	g, err := svc.Filings.Submit(ctx, notary.User{ID: "u-2", Email: "u2@example.com", Name: "用户乙"}, notarytest.FilingContent())
	require.NoError(t, err)
	want := map[uuid.UUID][]notary.FilingRevision{}
	for _, id := range []uuid.UUID{f.ID, g.ID} {
		want[id], err = st.FilingRevisions(ctx, id)
		require.NoError(t, err)
	}
	require.Len(t, want[f.ID], 2)
	require.NoError(t, st.Close())

	// Back to before the migration: no revisions table.
	raw, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	// The later migrations go too (goose refuses a gap): their Down sections.
	_, err = raw.ExecContext(ctx, `CREATE INDEX filings_id_suffix ON filings (office_id, substr(id, 25));
		CREATE INDEX applications_id_suffix ON applications (office_id, substr(id, 25));
		DROP INDEX applications_id_reverse; DROP INDEX filings_id_reverse;
		DROP TRIGGER filings_enterprise_fts_delete; DROP TRIGGER filings_enterprise_fts_update;
		DROP TRIGGER filings_enterprise_fts_insert; DROP TABLE filings_enterprise_fts;
		DROP TABLE bank_transfers; DROP TABLE filing_revisions; DROP INDEX applications_invoice_state`)
	require.NoError(t, err)
	_, err = raw.ExecContext(ctx, `DELETE FROM `+sqlitestore.MigrationTable+` WHERE version_id >= `+revisionsMigration)
	require.NoError(t, err)
	require.NoError(t, raw.Close())

	again, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, again.Close()) })
	for id, revs := range want {
		got, err := again.FilingRevisions(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, revs, got, "filing %s", id)
	}
	// The revisions still open and mask as before.
	svc2, err := notary.New(notary.Config{InsecureDevKeys: true, Office: svc.Office(), Store: again,
		Payments: notarytest.NewPayments(), Clock: notarytest.NewClock(revClock)})
	require.NoError(t, err)
	one, err := svc2.Filings.Revision(ctx, alice, f.ID, 1)
	require.NoError(t, err)
	assert.Equal(t, "1101**********002X", one.Content.LegalRep.IDNumber)
	assert.Equal(t, notarytest.FilingContent().EnterpriseName, one.Content.EnterpriseName)
}
