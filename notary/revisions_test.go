package notary_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// renamed is an amendment of notarytest.FilingContent: a new name, and a
// legal representative whose name masks as the old one's does.
func renamed() notary.FilingContent {
	c := notarytest.FilingContent()
	c.EnterpriseName = "Renamed Technology Co., Ltd."
	c.LegalRep.Name = "Zhang Sen" // masks as "Zhang San" does: Z********
	return c
}

// threeRevisions files three revisions of alice's filing: the first,
// approved at t0; an amendment an hour later, rejected; and third,
// resubmitted an hour after that.
func (e *env) threeRevisions(third notary.FilingContent) notary.Filing {
	e.t.Helper()
	f := e.approvedFiling(alice)
	e.clock.Advance(time.Hour)
	f, err := e.svc.Filings.Amend(e.ctx, alice, f.ID, renamed())
	require.NoError(e.t, err)
	f, err = e.svc.Reviews.RejectFiling(e.ctx, e.reviewer, f.ID, f.Version, "name change not registered")
	require.NoError(e.t, err)
	e.clock.Advance(time.Hour)
	f, err = e.svc.Filings.Resubmit(e.ctx, alice, f.ID, third)
	require.NoError(e.t, err)
	return f
}

// Every content filed is a revision, kept with who filed it and when: the
// TestRevisionOutcomesFromTheTrail: each revision's decision is the first
// approve or reject after the event that filed it; one still under review
// is undecided; one whose filing event the trail lacks is left out.
func TestRevisionOutcomesFromTheTrail(t *testing.T) {
	e := newEnv(t)
	f := e.threeRevisions(renamed())

	outcomes := func() map[int]notary.RevisionOutcome {
		revs, err := e.svc.Filings.Revisions(e.ctx, e.reviewer, f.ID)
		require.NoError(t, err)
		trail, err := e.svc.Audit.Trail(e.ctx, e.reviewer, f.ID)
		require.NoError(t, err)
		return notary.RevisionOutcomes(revs, trail)
	}
	assert.Equal(t, map[int]notary.RevisionOutcome{1: notary.RevisionApproved, 2: notary.RevisionRejected,
		3: notary.RevisionUndecided}, outcomes())

	f, err := e.svc.Reviews.ApproveFiling(e.ctx, e.reviewer, f.ID, f.Version)
	require.NoError(t, err)
	e.clock.Advance(time.Hour)
	f, err = e.svc.Filings.Amend(e.ctx, alice, f.ID, notarytest.FilingContent())
	require.NoError(t, err)
	assert.Equal(t, map[int]notary.RevisionOutcome{1: notary.RevisionApproved, 2: notary.RevisionRejected,
		3: notary.RevisionApproved, 4: notary.RevisionUndecided}, outcomes(), "revision 1 was in force once")

	revs, err := e.svc.Filings.Revisions(e.ctx, e.reviewer, f.ID)
	require.NoError(t, err)
	trail, err := e.svc.Audit.Trail(e.ctx, e.reviewer, f.ID)
	require.NoError(t, err)
	assert.Equal(t, map[int]notary.RevisionOutcome{2: notary.RevisionRejected, 3: notary.RevisionApproved,
		4: notary.RevisionUndecided}, notary.RevisionOutcomes(revs, trail[1:]), "without the event that filed revision 1")
	// Two resubmissions filed at the same instant (the clock stands
	// still): each event files the next revision.
	for range 2 {
		f, err = e.svc.Reviews.RejectFiling(e.ctx, e.reviewer, f.ID, f.Version, "not registered yet")
		require.NoError(t, err)
		f, err = e.svc.Filings.Resubmit(e.ctx, alice, f.ID, renamed())
		require.NoError(t, err)
	}
	assert.Equal(t, map[int]notary.RevisionOutcome{1: notary.RevisionApproved, 2: notary.RevisionRejected,
		3: notary.RevisionApproved, 4: notary.RevisionRejected, 5: notary.RevisionRejected, 6: notary.RevisionUndecided},
		outcomes())

	other := trail[len(trail)-1]
	other.RecordKind = notary.KindApplication
	assert.Equal(t, map[int]notary.RevisionOutcome{}, notary.RevisionOutcomes(revs, []notary.Event{other}),
		"another record's events file nothing")
}

// first submission, the amendment, and its resubmission after a rejection.
func TestRevisionsKeepEveryContentFiled(t *testing.T) {
	e := newEnv(t)
	third := renamed()
	third.ContactAddress = "9 Science Park Road, Nanshan, Shenzhen"
	f := e.threeRevisions(third)
	require.Equal(t, 3, f.Revision)
	require.Equal(t, 1, f.ApprovedRevision)

	for _, who := range []notary.Principal{alice, e.reviewer, e.supervisor} {
		revs, err := e.svc.Filings.Revisions(e.ctx, who, f.ID)
		require.NoError(t, err)
		require.Len(t, revs, 3)
		for i, want := range []struct {
			trigger notary.FilingTrigger
			name    string
			at      time.Time
		}{
			{notary.FilingSubmit, notarytest.FilingContent().EnterpriseName, t0},
			{notary.FilingAmend, "Renamed Technology Co., Ltd.", t0.Add(time.Hour)},
			{notary.FilingResubmit, "Renamed Technology Co., Ltd.", t0.Add(2 * time.Hour)},
		} {
			r := revs[i]
			assert.Equal(t, i+1, r.Number)
			assert.Equal(t, f.ID, r.FilingID)
			assert.Equal(t, officeID, r.OfficeID)
			assert.Equal(t, want.trigger, r.Trigger)
			assert.Equal(t, want.name, r.Content.EnterpriseName)
			assert.True(t, want.at.Equal(r.SubmittedAt), "revision %d filed at %v, not %v", r.Number, r.SubmittedAt, want.at)
			assert.Equal(t, notary.Actor{Kind: notary.ActorUser, ID: alice.ID, Name: alice.Name}, r.SubmittedBy)
			// Masked like the filing: neither plaintext nor ciphertext.
			assert.Equal(t, "1101**********002X", r.Content.LegalRep.IDNumber)
			assert.Equal(t, "138****8000", r.Content.ContactPhone)
			assert.Empty(t, r.Content.LegalRep.IDLookup)
		}
		assert.Equal(t, "9 Science Park Road, Nanshan, Shenzhen", revs[2].Content.ContactAddress)
	}

	// The one in force is revision 1, as the filing says, with its own content.
	one, err := e.svc.Filings.Revision(e.ctx, e.reviewer, f.ID, f.ApprovedRevision)
	require.NoError(t, err)
	assert.Equal(t, f.Approved.EnterpriseName, one.Content.EnterpriseName)
	assert.Equal(t, *f.Approved, one.Content)

	// At rest, every revision's personal fields are sealed.
	stored, err := e.store.FilingRevisions(e.ctx, f.ID)
	require.NoError(t, err)
	for _, r := range stored {
		assert.True(t, notary.IsSealed(r.Content.LegalRep.Name), "revision %d", r.Number)
		assert.True(t, notary.IsSealed(r.Content.LegalRep.IDNumber), "revision %d", r.Number)
		assert.NotEmpty(t, r.Content.LegalRep.IDLookup, "revision %d keeps its blind index", r.Number)
	}
}

func TestRevisionReadRefusals(t *testing.T) {
	e := newEnv(t)
	f := e.approvedFiling(alice)
	_, stranger := e.otherOffice()
	for _, tc := range []struct {
		name  string
		actor notary.Principal
		id    uuid.UUID
		n     int
		want  error
		field string
	}{
		{"another user", bob, f.ID, 1, notary.ErrForbidden, ""},
		{"an admin of another office", stranger, f.ID, 1, notary.ErrForbidden, ""},
		{"no principal", nil, f.ID, 1, notary.ErrForbidden, ""},
		{"an admin without a session", notary.Admin{ID: e.reviewer.ID, OfficeID: officeID, Role: notary.RoleReviewer}, f.ID, 1, notary.ErrUnauthenticated, ""},
		{"unknown filing", alice, uuid.New(), 1, notary.ErrNotFound, ""},
		{"unknown revision", alice, f.ID, 2, notary.ErrNotFound, ""},
		{"revision zero", alice, f.ID, 0, notary.ErrInvalidInput, "revision"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.Filings.Revision(e.ctx, tc.actor, tc.id, tc.n)
			require.ErrorIs(t, err, tc.want)
			if tc.field != "" {
				assert.Equal(t, tc.field, fieldOf(err))
			}
			if tc.n == 1 {
				_, err := e.svc.Filings.Revisions(e.ctx, tc.actor, tc.id)
				require.ErrorIs(t, err, tc.want, "Revisions refuses as Revision does")
				_, err = e.svc.Filings.Compare(e.ctx, tc.actor, tc.id, 1, 1)
				require.ErrorIs(t, err, tc.want, "Compare refuses as Revision does")
			}
		})
	}
	for _, tc := range []struct {
		from, to int
		field    string
	}{{0, 1, "from"}, {1, -1, "to"}} {
		_, err := e.svc.Filings.Compare(e.ctx, alice, f.ID, tc.from, tc.to)
		require.ErrorIs(t, err, notary.ErrInvalidInput)
		assert.Equal(t, tc.field, fieldOf(err))
	}
	_, err := e.svc.Filings.Compare(e.ctx, alice, f.ID, 1, 2)
	require.ErrorIs(t, err, notary.ErrNotFound)
}

// fieldOf returns the field a *FieldError names, or "".
func fieldOf(err error) string {
	var fe *notary.FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

// Compare shows an amendment against the revision in force field by
// field: personal fields compared opened, shown masked.
func TestCompareAmendmentWithRevisionInForce(t *testing.T) {
	e := newEnv(t)
	f := e.approvedFiling(alice)
	f, err := e.svc.Filings.Amend(e.ctx, alice, f.ID, renamed())
	require.NoError(t, err)
	changes, err := e.svc.Filings.Compare(e.ctx, e.reviewer, f.ID, f.ApprovedRevision, f.Revision)
	require.NoError(t, err)
	byField := map[string]notary.FieldChange{}
	var fields []string
	for _, c := range changes {
		byField[c.Field] = c
		fields = append(fields, c.Field)
	}
	assert.Equal(t, []string{"enterprise_name", "credit_code", "business_license", "legal_rep.name", "legal_rep.id_type",
		"legal_rep.id_number", "legal_rep_id", "contact_address", "contact_email", "contact_phone", "agent.person.name",
		"agent.person.id_type", "agent.person.id_number", "agent.power_of_attorney", "agent.id_document"}, fields)
	assert.Equal(t, notary.FieldChange{Field: "enterprise_name", From: "Shenzhen Example Technology Co., Ltd.",
		To: "Renamed Technology Co., Ltd.", Changed: true}, byField["enterprise_name"])
	assert.Equal(t, notary.FieldChange{Field: "legal_rep.name", From: "Z********", To: "Z********", Changed: true, Personal: true},
		byField["legal_rep.name"], "a changed name with the same mask is a change")
	assert.Equal(t, notary.FieldChange{Field: "legal_rep.id_number", From: "1101**********002X", To: "1101**********002X", Personal: true},
		byField["legal_rep.id_number"], "the same number sealed twice is no change")
	assert.False(t, byField["business_license"].Changed)
	assert.True(t, strings.HasPrefix(byField["business_license"].From, notarytest.Document("licence.pdf").URI+" sha256:"))
	for _, c := range changes {
		assert.NotContains(t, c.From+c.To, "sealed:", "no ciphertext shown")
		assert.NotContains(t, c.From+c.To, "Zhang", "no personal plaintext shown")
	}

	// Adding an agent changes its fields from empty.
	f, err = e.svc.Reviews.ApproveFiling(e.ctx, e.reviewer, f.ID, f.Version)
	require.NoError(t, err)
	f, err = e.svc.Filings.Amend(e.ctx, alice, f.ID, withAgent())
	require.NoError(t, err)
	changes, err = e.svc.Filings.Compare(e.ctx, alice, f.ID, 2, 3)
	require.NoError(t, err)
	for _, c := range changes {
		if strings.HasPrefix(c.Field, "agent.") {
			assert.True(t, c.Changed, c.Field)
			assert.Empty(t, c.From, c.Field)
		}
	}
}

// An application names the revision in force when it was made, and that
// revision's content stays readable after an amendment is approved.
func TestApplicationLinksRevisionInForce(t *testing.T) {
	e := newEnv(t)
	f := e.approvedFiling(alice)
	f, err := e.svc.Filings.Amend(e.ctx, alice, f.ID, renamed())
	require.NoError(t, err)
	app, err := e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{Evidence: notarytest.Evidence("rev-1")})
	require.NoError(t, err)
	require.Equal(t, 1, app.FilingRevision)
	_, err = e.svc.Reviews.ApproveFiling(e.ctx, e.reviewer, f.ID, f.Version)
	require.NoError(t, err)

	rev, err := e.svc.Filings.Revision(e.ctx, e.reviewer, app.FilingID, app.FilingRevision)
	require.NoError(t, err)
	assert.Equal(t, notarytest.FilingContent().EnterpriseName, rev.Content.EnterpriseName,
		"the application's revision is the one it was made under, not the latest")
}

// Erasure reaches every revision kept, in the same commit.
func TestEraseCoversRevisions(t *testing.T) {
	e := newEnv(t, func(c *notary.Config) { c.Office.PersonalDataRetention = 3 * year })
	f := e.approvedFiling(alice)
	f, err := e.svc.Filings.Amend(e.ctx, alice, f.ID, withAgent())
	require.NoError(t, err)
	_, err = e.svc.Reviews.RejectFiling(e.ctx, e.reviewer, f.ID, f.Version, "agent not authorised")
	require.NoError(t, err)
	f, err = e.svc.Filings.Resubmit(e.ctx, alice, f.ID, notarytest.FilingContent())
	require.NoError(t, err)
	e.clock.Advance(3*year + time.Hour)
	rep, err := e.svc.Filings.EraseExpired(e.ctx)
	require.NoError(t, err)
	require.Equal(t, notary.EraseReport{Erased: 1}, rep)

	stored, err := e.store.FilingRevisions(e.ctx, f.ID)
	require.NoError(t, err)
	require.Len(t, stored, 3)
	for _, r := range stored {
		values := []string{r.Content.LegalRep.Name, r.Content.LegalRep.IDNumber, r.Content.ContactPhone}
		if r.Content.Agent != nil {
			values = append(values, r.Content.Agent.Person.Name, r.Content.Agent.Person.IDNumber)
			assert.Empty(t, r.Content.Agent.Person.IDLookup)
		}
		for _, v := range values {
			assert.Equal(t, notary.Erased, v, "revision %d", r.Number)
		}
		assert.Empty(t, r.Content.LegalRep.IDLookup, "revision %d", r.Number)
		assert.Equal(t, "Shenzhen Example Technology Co., Ltd.", r.Content.EnterpriseName, "what is not personal stays")
	}
	assert.NotNil(t, stored[1].Content.Agent, "revision 2 named the agent")
	require.NoError(t, e.svc.Audit.Verify(e.ctx, alice, f.ID))
	changes, err := e.svc.Filings.Compare(e.ctx, alice, f.ID, 1, 2)
	require.NoError(t, err)
	assert.Equal(t, notary.Erased, changes[3].From)
}

// Reseal seals again the personal fields of every revision kept.
func TestResealCoversRevisions(t *testing.T) {
	e := newEnv(t)
	f, err := e.svc.Filings.Submit(e.ctx, alice, notarytest.FilingContent())
	require.NoError(t, err)
	stored, err := e.store.Filing(e.ctx, f.ID)
	require.NoError(t, err)
	rev, err := e.store.FilingRevision(e.ctx, f.ID, 1)
	require.NoError(t, err)
	rev.Content = notarytest.FilingContent() // a revision stored before sealing
	next := stored
	next.Version++
	require.NoError(t, e.store.Commit(e.ctx, notary.Change{Filing: &next, ExpectedVersion: stored.Version, Rewrites: []notary.FilingRevision{rev}}))

	rep, err := e.svc.Filings.Reseal(e.ctx, 0)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Resealed, "a plain revision makes the filing stale")
	after, err := e.store.FilingRevision(e.ctx, f.ID, 1)
	require.NoError(t, err)
	assert.True(t, notary.IsSealed(after.Content.LegalRep.IDNumber))
	assert.True(t, notary.IsSealed(after.Content.ContactPhone))
	assert.NotEmpty(t, after.Content.LegalRep.IDLookup)
	got, err := e.svc.Filings.Revision(e.ctx, alice, f.ID, 1)
	require.NoError(t, err)
	assert.Equal(t, "138****8000", got.Content.ContactPhone)
}

// The owner's export holds every revision, in full.
func TestExportHoldsRevisions(t *testing.T) {
	e := newEnv(t)
	f := e.approvedFiling(alice)
	_, err := e.svc.Filings.Amend(e.ctx, alice, f.ID, renamed())
	require.NoError(t, err)
	x, err := e.svc.Filings.Export(e.ctx, alice)
	require.NoError(t, err)
	require.Len(t, x.Revisions, 2)
	assert.Equal(t, "Zhang San", x.Revisions[0].Content.LegalRep.Name)
	assert.Equal(t, "Zhang Sen", x.Revisions[1].Content.LegalRep.Name)
	assert.Equal(t, "11010519491231002X", x.Revisions[1].Content.LegalRep.IDNumber)
}

func TestChangeValidateRevisions(t *testing.T) {
	f := notary.Filing{ID: uuid.New(), OfficeID: uuid.New(), Version: 2, Revision: 2}
	rev := func(n int) *notary.FilingRevision {
		return &notary.FilingRevision{FilingID: f.ID, OfficeID: f.OfficeID, Number: n, SubmittedAt: t0}
	}
	app := notary.Application{ID: uuid.New(), OfficeID: f.OfficeID, Version: 1}
	for _, tc := range []struct {
		name  string
		c     notary.Change
		field string // "" when valid
	}{
		{"files the current revision", notary.Change{Filing: &f, ExpectedVersion: 1, Revision: rev(2)}, ""},
		{"rewrites earlier ones", notary.Change{Filing: &f, ExpectedVersion: 1, Rewrites: []notary.FilingRevision{*rev(1), *rev(2)}}, ""},
		{"an application", notary.Change{Application: &app, Revision: rev(1)}, "revision"},
		{"an earlier number", notary.Change{Filing: &f, ExpectedVersion: 1, Revision: rev(1)}, "revision.number"},
		{"a later number", notary.Change{Filing: &f, ExpectedVersion: 1, Revision: rev(3)}, "revision.number"},
		{"number zero", notary.Change{Filing: &f, ExpectedVersion: 1, Revision: rev(0)}, "revision.number"},
		{"another filing", notary.Change{Filing: &f, ExpectedVersion: 1, Revision: &notary.FilingRevision{FilingID: uuid.New(), OfficeID: f.OfficeID, Number: 2, SubmittedAt: t0}}, "revision.filing_id"},
		{"another office", notary.Change{Filing: &f, ExpectedVersion: 1, Revision: &notary.FilingRevision{FilingID: f.ID, OfficeID: uuid.New(), Number: 2, SubmittedAt: t0}}, "revision.office_id"},
		{"no time", notary.Change{Filing: &f, ExpectedVersion: 1, Revision: &notary.FilingRevision{FilingID: f.ID, OfficeID: f.OfficeID, Number: 2}}, "revision.submitted_at"},
		{"rewrite twice", notary.Change{Filing: &f, ExpectedVersion: 1, Rewrites: []notary.FilingRevision{*rev(1), *rev(1)}}, "rewrites[1].number"},
		{"file and rewrite", notary.Change{Filing: &f, ExpectedVersion: 1, Revision: rev(2), Rewrites: []notary.FilingRevision{*rev(2)}}, "rewrites[0].number"},
		{"rewrite a later one", notary.Change{Filing: &f, ExpectedVersion: 1, Rewrites: []notary.FilingRevision{*rev(3)}}, "rewrites[0].number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate()
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, notary.ErrInvalidInput)
			assert.Equal(t, tc.field, fieldOf(err))
		})
	}
}
