package storetest

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// revisionGroup: the content revisions of filings (Change.Revision and
// Change.Rewrites; Records.FilingRevisions and FilingRevision).
var revisionGroup = group{"Revisions", []test{
	{"FiledWithTheTransitionInOrder", testRevisionsInOrder},
	{"RevisionInForceReadsItsOwnContent", testRevisionInForce},
	{"FiledRevisionIsImmutable", testRevisionImmutable},
	{"RewriteReplacesOnlyContent", testRevisionRewrite},
	{"RewriteOfUnknownRevisionChangesNothing", testRevisionRewriteUnknown},
	{"FailedCommitFilesNoRevision", testRevisionFailedCommit},
	{"MissingFilingOrRevisionIsNotFound", testRevisionNotFound},
	{"ReadsAreCopies", testRevisionCopies},
}}

// revisionOf returns the revision f files now.
func revisionOf(f notary.Filing, trigger notary.FilingTrigger, when time.Time) *notary.FilingRevision {
	return &notary.FilingRevision{FilingID: f.ID, OfficeID: f.OfficeID, Number: f.Revision, Trigger: trigger,
		Content: f.Content, SubmittedAt: when, SubmittedBy: notary.Actor{Kind: notary.ActorUser, ID: f.Owner.ID, Name: f.Owner.Name}}
}

// fileRevision commits the next transition of f: a new revision with
// content c when trigger is not "" (the filing's Revision moves on), or
// only state and version otherwise. It returns the stored filing.
func fileRevision(t *testing.T, s notary.Store, f notary.Filing, trigger notary.FilingTrigger, c notary.FilingContent, when time.Time) notary.Filing {
	t.Helper()
	next := f
	next.Version++
	next.UpdatedAt = when
	ch := notary.Change{Filing: &next, ExpectedVersion: f.Version,
		Events: []notary.Event{nextEvent(t, s, f.ID, notary.KindFiling, f.OfficeID, when)}}
	if trigger != "" {
		next.Revision++
		next.Content = c
		next.State = notary.FilingPendingReview
		ch.Revision = revisionOf(next, trigger, when)
	}
	commit(t, s, ch)
	return next
}

// submitted commits a new filing with its first revision.
func submitted(t *testing.T, s notary.Store) notary.Filing {
	t.Helper()
	f := newFiling(uuid.New(), "alice", base)
	c := createChange(f)
	c.Revision = revisionOf(f, notary.FilingSubmit, base)
	commit(t, s, c)
	return f
}

func revisions(t *testing.T, s notary.Store, id uuid.UUID) []notary.FilingRevision {
	t.Helper()
	revs, err := s.FilingRevisions(t.Context(), id)
	require.NoError(t, err)
	return revs
}

func requireRevision(t *testing.T, want, got notary.FilingRevision) {
	t.Helper()
	require.True(t, want.SubmittedAt.Equal(got.SubmittedAt), "submitted at %v, want %v", got.SubmittedAt, want.SubmittedAt)
	want.SubmittedAt, got.SubmittedAt = time.Time{}, time.Time{}
	require.Equal(t, want, got)
}

func testRevisionsInOrder(t *testing.T, s notary.Store) {
	f := submitted(t, s)
	approved := f
	approved.State = notary.FilingApproved
	f = fileRevision(t, s, approved, "", notary.FilingContent{}, at(time.Minute)) // approval files nothing
	f = fileRevision(t, s, f, notary.FilingAmend, content("Acme Two", false), at(time.Hour))
	f = fileRevision(t, s, f, notary.FilingResubmit, content("Acme Three", true), at(2*time.Hour))

	revs := revisions(t, s, f.ID)
	require.Len(t, revs, 3)
	for i, want := range []struct {
		trigger notary.FilingTrigger
		name    string
		at      time.Time
		agent   bool
	}{
		{notary.FilingSubmit, "Acme alice", base, true},
		{notary.FilingAmend, "Acme Two", at(time.Hour), false},
		{notary.FilingResubmit, "Acme Three", at(2 * time.Hour), true},
	} {
		c := content(want.name, want.agent)
		requireRevision(t, notary.FilingRevision{FilingID: f.ID, OfficeID: f.OfficeID, Number: i + 1, Trigger: want.trigger,
			Content: c, SubmittedAt: want.at, SubmittedBy: notary.Actor{Kind: notary.ActorUser, ID: "alice", Name: user("alice").Name}}, revs[i])
		one, err := s.FilingRevision(t.Context(), f.ID, i+1)
		require.NoError(t, err)
		requireRevision(t, revs[i], one)
	}
	// Another filing's revisions are its own.
	g := newFiling(f.OfficeID, "bob", base)
	c := createChange(g)
	c.Revision = revisionOf(g, notary.FilingSubmit, base)
	commit(t, s, c)
	require.Len(t, revisions(t, s, g.ID), 1)
	require.Len(t, revisions(t, s, f.ID), 3)
}

func testRevisionInForce(t *testing.T, s notary.Store) {
	f := submitted(t, s)
	old := f.Content
	f.State, f.Approved, f.ApprovedRevision = notary.FilingApproved, &old, 1
	f = fileRevision(t, s, f, "", notary.FilingContent{}, at(time.Minute))
	f = fileRevision(t, s, f, notary.FilingAmend, content("Acme Renamed", true), at(time.Hour))

	stored := getFiling(t, s, f.ID)
	inForce, err := s.FilingRevision(t.Context(), f.ID, stored.ApprovedRevision)
	require.NoError(t, err)
	assert.Equal(t, *stored.Approved, inForce.Content, "the revision in force keeps its content after an amendment")
	latest, err := s.FilingRevision(t.Context(), f.ID, stored.Revision)
	require.NoError(t, err)
	assert.Equal(t, stored.Content, latest.Content)
	assert.NotEqual(t, inForce.Content.EnterpriseName, latest.Content.EnterpriseName)
}

func testRevisionImmutable(t *testing.T, s notary.Store) {
	f := submitted(t, s)
	before := revisions(t, s, f.ID)
	// Filing revision 1 again (a store must not overwrite it) is a conflict,
	// and nothing of the change is stored.
	next := f
	next.Version++
	next.Content = content("Overwritten", false)
	c := notary.Change{Filing: &next, ExpectedVersion: f.Version,
		Events:   []notary.Event{nextEvent(t, s, f.ID, notary.KindFiling, f.OfficeID, at(time.Hour))},
		Revision: revisionOf(next, notary.FilingResubmit, at(time.Hour))}
	requireIs(t, s.Commit(t.Context(), c), notary.ErrConflict)
	assert.Equal(t, before, revisions(t, s, f.ID))
	assert.Equal(t, f.Version, getFiling(t, s, f.ID).Version)
	assert.Len(t, events(t, s, f.ID), 1)
}

func testRevisionRewrite(t *testing.T, s notary.Store) {
	f := submitted(t, s)
	f = fileRevision(t, s, f, notary.FilingAmend, content("Acme Two", false), at(time.Hour))
	revs := revisions(t, s, f.ID)
	erased := revs[0]
	erased.Content.LegalRep.Name, erased.Content.LegalRep.IDNumber = notary.Erased, notary.Erased
	erased.Content.Agent.Person.Name = notary.Erased
	// Only Content is rewritten: the rest of a stored revision stays.
	forged := erased
	forged.Trigger, forged.SubmittedAt, forged.SubmittedBy = notary.FilingAmend, at(99*time.Hour), notary.Actor{Kind: notary.ActorAdmin, ID: "x"}
	next := f
	next.Version++
	commit(t, s, notary.Change{Filing: &next, ExpectedVersion: f.Version,
		Events: []notary.Event{nextEvent(t, s, f.ID, notary.KindFiling, f.OfficeID, at(2*time.Hour))}, Rewrites: []notary.FilingRevision{forged}})
	after := revisions(t, s, f.ID)
	require.Len(t, after, 2)
	requireRevision(t, erased, after[0])
	requireRevision(t, revs[1], after[1])
}

func testRevisionRewriteUnknown(t *testing.T, s notary.Store) {
	f := submitted(t, s)
	f = fileRevision(t, s, f, notary.FilingAmend, content("Acme Two", false), at(time.Hour))
	before := revisions(t, s, f.ID)
	// Revision 2 exists in another filing's numbering only; a store holds
	// revisions per filing. Forge a filing whose revision 2 is not stored.
	g := submitted(t, s)
	g.Revision = 2
	next := g
	next.Version++
	ghost := *revisionOf(next, notary.FilingAmend, at(time.Hour))
	erased := before[0]
	erased.FilingID, erased.OfficeID = g.ID, g.OfficeID
	erased.Content.LegalRep.Name = notary.Erased
	err := s.Commit(t.Context(), notary.Change{Filing: &next, ExpectedVersion: g.Version,
		Events:   []notary.Event{nextEvent(t, s, g.ID, notary.KindFiling, g.OfficeID, at(2*time.Hour))},
		Rewrites: []notary.FilingRevision{erased, ghost}})
	requireIs(t, err, notary.ErrNotFound)
	assert.Equal(t, before, revisions(t, s, f.ID))
	assert.Equal(t, int64(1), getFiling(t, s, g.ID).Version, "nothing of the change is stored")
	gr := revisions(t, s, g.ID)
	require.Len(t, gr, 1)
	assert.Equal(t, "Acme alice", gr[0].Content.EnterpriseName)
	assert.Equal(t, "张三", gr[0].Content.LegalRep.Name)
}

func testRevisionFailedCommit(t *testing.T, s notary.Store) {
	f := submitted(t, s)
	next := f
	next.Version++
	next.Revision++
	c := notary.Change{Filing: &next, ExpectedVersion: f.Version + 5, // stale version
		Events:   []notary.Event{nextEvent(t, s, f.ID, notary.KindFiling, f.OfficeID, at(time.Hour))},
		Revision: revisionOf(next, notary.FilingAmend, at(time.Hour))}
	next.Version = c.ExpectedVersion + 1
	requireIs(t, s.Commit(t.Context(), c), notary.ErrConflict)
	require.Len(t, revisions(t, s, f.ID), 1)
	_, err := s.FilingRevision(t.Context(), f.ID, 2)
	requireIs(t, err, notary.ErrNotFound)
}

func testRevisionNotFound(t *testing.T, s notary.Store) {
	_, err := s.FilingRevisions(t.Context(), uuid.New())
	requireIs(t, err, notary.ErrNotFound)
	_, err = s.FilingRevision(t.Context(), uuid.New(), 1)
	requireIs(t, err, notary.ErrNotFound)
	f := submitted(t, s)
	for _, n := range []int{0, 2, -1} {
		_, err = s.FilingRevision(t.Context(), f.ID, n)
		requireIs(t, err, notary.ErrNotFound, "revision %d", n)
	}
	// A filing stored without revisions (before they were kept) has none.
	g := newFiling(f.OfficeID, "bob", base)
	commit(t, s, createChange(g))
	assert.Empty(t, revisions(t, s, g.ID))
}

func testRevisionCopies(t *testing.T, s notary.Store) {
	f := submitted(t, s)
	revs := revisions(t, s, f.ID)
	revs[0].Content.Agent.Person.Name = "changed by the caller"
	revs[0].Content.EnterpriseName = "changed by the caller"
	again := revisions(t, s, f.ID)
	assert.Equal(t, "李四", again[0].Content.Agent.Person.Name)
	assert.Equal(t, "Acme alice", again[0].Content.EnterpriseName)
}
