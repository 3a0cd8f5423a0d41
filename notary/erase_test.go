package notary_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

const year = 365 * 24 * time.Hour

func TestEraseExpired(t *testing.T) {
	e := newEnv(t, func(c *notary.Config) { c.Office.PersonalDataRetention = 3 * year })
	f, err := e.svc.Filings.Submit(e.ctx, alice, withAgent())
	require.NoError(t, err)
	f, err = e.svc.Reviews.ApproveFiling(e.ctx, e.reviewer, f.ID, f.Version)
	require.NoError(t, err)
	e.clock.Advance(2 * year)
	fb, err := e.svc.Filings.Submit(e.ctx, bob, notarytest.FilingContent()) // Bob files two years later
	require.NoError(t, err)

	rep, err := e.svc.Filings.EraseExpired(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, notary.EraseReport{}, rep, "within the retention period nothing is erased")

	e.clock.Advance(year + time.Hour) // three years and an hour after Alice's last activity
	rep, err = e.svc.Filings.EraseExpired(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, notary.EraseReport{Erased: 1}, rep)

	stored, err := e.store.Filing(e.ctx, f.ID)
	require.NoError(t, err)
	for _, c := range []notary.FilingContent{stored.Content, *stored.Approved} {
		for _, v := range []string{c.LegalRep.Name, c.LegalRep.IDNumber, c.ContactPhone, c.Agent.Person.Name, c.Agent.Person.IDNumber} {
			assert.Equal(t, notary.Erased, v)
		}
		assert.Empty(t, c.LegalRep.IDLookup, "the blind index goes too")
		assert.Equal(t, "Shenzhen Example Technology Co., Ltd.", c.EnterpriseName, "what is not personal stays")
	}
	assert.Equal(t, notary.FilingApproved, stored.State)
	require.NoError(t, e.svc.Audit.Verify(e.ctx, alice, f.ID), "the trail still verifies")
	evs, err := e.store.Events(e.ctx, f.ID)
	require.NoError(t, err)
	last := evs[len(evs)-1]
	assert.Equal(t, notary.TriggerErase, last.Trigger)
	assert.Equal(t, notary.ActorSystem, last.Actor.Kind)

	got, err := e.svc.Filings.Reveal(e.ctx, alice, f.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.Erased, got.Content.LegalRep.IDNumber)

	bobs, err := e.store.Filing(e.ctx, fb.ID)
	require.NoError(t, err)
	assert.True(t, notary.IsSealed(bobs.Content.LegalRep.IDNumber), "Bob's filing is within its period")

	rep, err = e.svc.Filings.EraseExpired(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, notary.EraseReport{}, rep, "erased once")

	keep := newEnv(t)
	_, err = keep.svc.Filings.Submit(keep.ctx, alice, notarytest.FilingContent())
	require.NoError(t, err)
	keep.clock.Advance(50 * year)
	rep, err = keep.svc.Filings.EraseExpired(keep.ctx)
	require.NoError(t, err)
	assert.Equal(t, notary.EraseReport{}, rep, "no retention set: kept")
}

func TestExport(t *testing.T) {
	e := newEnv(t)
	x, err := e.svc.Filings.Export(e.ctx, alice)
	require.NoError(t, err)
	assert.Nil(t, x.Filing, "nothing filed, nothing held")
	assert.Empty(t, x.Applications)

	f := e.approvedFiling(alice)
	app, err := e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{Evidence: notarytest.Evidence("ev-1")})
	require.NoError(t, err)

	x, err = e.svc.Filings.Export(e.ctx, alice)
	require.NoError(t, err)
	require.NotNil(t, x.Filing)
	assert.Equal(t, "11010519491231002X", x.Filing.Content.LegalRep.IDNumber, "the owner gets the values in full")
	assert.Equal(t, "11010519491231002X", x.Filing.Approved.LegalRep.IDNumber)
	require.Len(t, x.Applications, 1)
	assert.Equal(t, app.ID, x.Applications[0].ID)
	require.NotEmpty(t, x.Trail)
	lastEv := x.Trail[len(x.Trail)-1]
	assert.Equal(t, notary.TriggerExport, lastEv.Trigger, "the export is on the trail it returns")
	assert.Equal(t, f.ID, lastEv.RecordID)
	assert.Equal(t, t0, x.ExportedAt)
	_, err = json.Marshal(x)
	require.NoError(t, err)

	_, err = e.svc.Filings.Export(e.ctx, notary.User{})
	require.ErrorIs(t, err, notary.ErrForbidden)
	other, err := e.svc.Filings.Export(e.ctx, bob)
	require.NoError(t, err)
	assert.Nil(t, other.Filing, "another user gets only their own")
}
