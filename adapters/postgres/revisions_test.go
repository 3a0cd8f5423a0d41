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

// revisionsVersion is the version of migrations/NNNNN_filing_revisions.sql.
const revisionsVersion = 10

// revisionService is a service on st with a logged-in supervisor.
func revisionService(t *testing.T, st notary.Store) (*notary.Service, notary.Admin) {
	t.Helper()
	ctx := context.Background()
	svc, err := notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{ID: uuid.New(), Name: "Revisions Office", AdminEmails: []string{"desk@office.example"},
			MailingAddress: "1 Notary Road"},
		Store: st, Payments: notarytest.NewPayments(), Clock: notarytest.NewClock(base),
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
	st, url, schema := newStore(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	svc, _ := revisionService(t, st)
	f, err := svc.Filings.Submit(ctx, notary.User{ID: "u-1", Email: "u1@example.com", Name: "用户"}, notarytest.FilingContent())
	require.NoError(t, err)
	before, err := st.FilingRevisions(ctx, f.ID)
	require.NoError(t, err)
	require.Len(t, before, 1)

	pool := schemaPool(t, url, schema)
	for _, tc := range []struct{ name, sql string }{
		{"renumber", `UPDATE filing_revisions SET number = 7 WHERE filing_id = $1`},
		{"move in time", `UPDATE filing_revisions SET submitted_at = '2020-01-01Z' WHERE filing_id = $1`},
		{"change the author", `UPDATE filing_revisions SET actor_id = 'someone' WHERE filing_id = $1`},
		{"change what was filed", `UPDATE filing_revisions SET content = jsonb_set(content, '{enterprise_name}', '"Forged"') WHERE filing_id = $1`},
		{"delete", `DELETE FROM filing_revisions WHERE filing_id = $1`},
		{"truncate", `TRUNCATE filing_revisions`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []any{f.ID}
			if tc.name == "truncate" {
				args = nil
			}
			require.ErrorIs(t, st.ExecRaw(ctx, tc.sql, args...), notary.ErrForbidden)
			_, err := pool.Exec(ctx, tc.sql, args...)
			var pe *pgconn.PgError
			require.True(t, errors.As(err, &pe), "got %v", err)
			assert.Equal(t, "NK405", pe.Code)
		})
	}
	after, err := st.FilingRevisions(ctx, f.ID)
	require.NoError(t, err)
	assert.Equal(t, before, after)

	// Erasing a personal field is a rewrite the schema allows.
	require.NoError(t, st.ExecRaw(ctx, `UPDATE filing_revisions SET content = jsonb_set(jsonb_set(content,
		'{legal_rep,name}', '"[erased]"'), '{contact_phone}', '"[erased]"') #- '{legal_rep,id_lookup}' WHERE filing_id = $1`, f.ID))
	erased, err := st.FilingRevision(ctx, f.ID, 1)
	require.NoError(t, err)
	assert.Equal(t, notary.Erased, erased.Content.LegalRep.Name)
	assert.Empty(t, erased.Content.LegalRep.IDLookup)
}

// A database whose filings were stored before revisions were kept gets
// each filing's current content, and the content in force when an
// amendment replaced it, as revisions filed by the events that filed them.
func TestRevisionMigrationBackfills(t *testing.T) {
	st, _, _ := newStore(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
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

	// Back to before the migration: no revisions table, and none of the
	// later migrations either (goose refuses a gap): their Down sections.
	err = st.MigrateDownTo(ctx, revisionsVersion-1)
	require.NoError(t, err)
	_, err = st.FilingRevisions(ctx, f.ID)
	require.Error(t, err, "the table is gone")

	require.NoError(t, st.Migrate(ctx))
	for id, revs := range want {
		got, err := st.FilingRevisions(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, revs, got, "filing %s", id)
	}
	one, err := svc.Filings.Revision(ctx, alice, f.ID, 1)
	require.NoError(t, err)
	assert.Equal(t, "1101**********002X", one.Content.LegalRep.IDNumber)
	assert.Equal(t, notarytest.FilingContent().EnterpriseName, one.Content.EnterpriseName)
}
