package notary_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

func TestMasks(t *testing.T) {
	tests := []struct {
		mask func(string) string
		in   string
		want string
	}{
		{notary.MaskIDNumber, "44030019900101123X", "4403**********123X"},
		{notary.MaskIDNumber, "E12345678", "E*******8"},
		{notary.MaskIDNumber, "AB", "**"},
		{notary.MaskIDNumber, "", ""},
		{notary.MaskName, "张三", "张*"},
		{notary.MaskName, "欧阳娜娜", "欧***"},
		{notary.MaskName, "Zhang San", "Z********"},
		{notary.MaskName, "李", "*"},
		{notary.MaskPhone, "13812345678", "138****5678"},
		{notary.MaskPhone, "075512345678", "075*****5678"},
		{notary.MaskPhone, "12345678", "****5678"},
		{notary.MaskPhone, "1234", "****"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.mask(tc.in), tc.in)
	}
}

// withAgent is a filing whose agent is named, so every personal field is
// set.
func withAgent() notary.FilingContent {
	c := notarytest.FilingContent()
	c.Agent = &notary.Agent{
		Person:          notary.Person{Name: "李四", IDType: notary.IDPassport, IDNumber: "E12345678"},
		PowerOfAttorney: notarytest.Document("poa.pdf"),
		IDDocument:      notarytest.Document("agent-id.pdf"),
	}
	return c
}

func TestPersonalFieldsAreSealedAndMasked(t *testing.T) {
	e := newEnv(t)
	in := withAgent()
	f, err := e.svc.Filings.Submit(e.ctx, alice, in)
	require.NoError(t, err)
	assert.Equal(t, "Zhang San", in.LegalRep.Name, "the caller's input is left alone")
	assert.Equal(t, "李四", in.Agent.Person.Name)

	stored, err := e.store.Filing(e.ctx, f.ID)
	require.NoError(t, err)
	for _, v := range []string{stored.Content.LegalRep.Name, stored.Content.LegalRep.IDNumber, stored.Content.ContactPhone,
		stored.Content.Agent.Person.Name, stored.Content.Agent.Person.IDNumber} {
		assert.True(t, notary.IsSealed(v), v)
	}
	assert.Equal(t, in.EnterpriseName, stored.Content.EnterpriseName, "what is not personal is stored as it is")

	for _, read := range []func() (notary.Filing, error){
		func() (notary.Filing, error) { return f, nil },
		func() (notary.Filing, error) { return e.svc.Filings.Get(e.ctx, alice, f.ID) },
		func() (notary.Filing, error) { return e.svc.Filings.Mine(e.ctx, alice) },
		func() (notary.Filing, error) {
			q, err := e.svc.Reviews.FilingQueue(e.ctx, e.reviewer, notary.FilingPendingReview, nil, 10)
			if err != nil || len(q) != 1 {
				return notary.Filing{}, err
			}
			return q[0], nil
		},
	} {
		got, err := read()
		require.NoError(t, err)
		c := got.Content
		assert.Equal(t, "Z********", c.LegalRep.Name)
		assert.Equal(t, "1101**********002X", c.LegalRep.IDNumber)
		assert.Equal(t, "138****8000", c.ContactPhone)
		assert.Equal(t, "李*", c.Agent.Person.Name)
		assert.Equal(t, "E*******8", c.Agent.Person.IDNumber)
	}

	approved, err := e.svc.Reviews.ApproveFiling(e.ctx, e.reviewer, f.ID, f.Version)
	require.NoError(t, err)
	require.NotNil(t, approved.Approved)
	assert.Equal(t, "1101**********002X", approved.Approved.LegalRep.IDNumber, "the revision in force is masked too")
}

func TestRevealShowsInFullAndAudits(t *testing.T) {
	e := newEnv(t)
	f, err := e.svc.Filings.Submit(e.ctx, alice, withAgent())
	require.NoError(t, err)

	got, err := e.svc.Filings.Reveal(e.ctx, e.reviewer, f.ID, notary.FieldLegalRepIDNumber)
	require.NoError(t, err)
	assert.Equal(t, "11010519491231002X", got.Content.LegalRep.IDNumber)
	assert.Equal(t, "Z********", got.Content.LegalRep.Name, "fields not asked for stay masked")
	assert.Equal(t, f.Version+1, got.Version, "the reveal is on the trail")

	all, err := e.svc.Filings.Reveal(e.ctx, alice, f.ID)
	require.NoError(t, err)
	assert.Equal(t, "Zhang San", all.Content.LegalRep.Name)
	assert.Equal(t, "13800138000", all.Content.ContactPhone)
	assert.Equal(t, "E12345678", all.Content.Agent.Person.IDNumber)

	evs, err := e.store.Events(e.ctx, f.ID)
	require.NoError(t, err)
	require.Len(t, evs, 3)
	assert.Equal(t, notary.TriggerReveal, evs[1].Trigger)
	assert.Equal(t, notary.ActorAdmin, evs[1].Actor.Kind)
	assert.Equal(t, "viewed in full: legal_rep.id_number", evs[1].Reason)
	assert.Equal(t, t0, evs[1].At)
	assert.Equal(t, notary.ActorUser, evs[2].Actor.Kind)
	assert.Contains(t, evs[2].Reason, "contact_phone")
	for _, ev := range evs {
		assert.NotContains(t, ev.Reason, "11010519491231002X")
	}
	require.NoError(t, e.svc.Audit.Verify(e.ctx, e.reviewer, f.ID), "reveals keep the chain verifiable")

	// A decision on the version the reviewer saw before the reveals is a
	// conflict; on the version Reveal returned it goes through.
	_, err = e.svc.Reviews.ApproveFiling(e.ctx, e.reviewer, f.ID, got.Version)
	require.ErrorIs(t, err, notary.ErrConflict)
	approved, err := e.svc.Reviews.ApproveFiling(e.ctx, e.reviewer, f.ID, all.Version)
	require.NoError(t, err)

	// Once decided, the office has no need to know; the owner still may.
	_, err = e.svc.Filings.Reveal(e.ctx, e.reviewer, f.ID)
	require.ErrorIs(t, err, notary.ErrForbidden)
	_, err = e.svc.Filings.Reveal(e.ctx, alice, approved.ID, notary.FieldContactPhone)
	require.NoError(t, err)
}

func TestRevealRefusals(t *testing.T) {
	e := newEnv(t)
	f, err := e.svc.Filings.Submit(e.ctx, alice, notarytest.FilingContent())
	require.NoError(t, err)
	_, other := e.otherOffice()

	tests := []struct {
		name   string
		actor  notary.Principal
		fields []notary.PersonalField
		want   error
	}{
		{"stranger user", bob, nil, notary.ErrForbidden},
		{"admin of another office", other, nil, notary.ErrForbidden},
		{"no principal", nil, nil, notary.ErrForbidden},
		{"unknown field", alice, []notary.PersonalField{"enterprise_name"}, notary.ErrInvalidInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.Filings.Reveal(e.ctx, tc.actor, f.ID, tc.fields...)
			require.ErrorIs(t, err, tc.want)
		})
	}
	evs, err := e.store.Events(e.ctx, f.ID)
	require.NoError(t, err)
	assert.Len(t, evs, 1, "a refused reveal leaves no trace but the refusal")
}

// TestSealedValueBoundToRecordAndField copies a sealed value into another
// record, and into another field of its own record: neither opens.
func TestSealedValueBoundToRecordAndField(t *testing.T) {
	e := newEnv(t)
	fa, err := e.svc.Filings.Submit(e.ctx, alice, notarytest.FilingContent())
	require.NoError(t, err)
	_, err = e.svc.Filings.Submit(e.ctx, bob, notarytest.FilingContent())
	require.NoError(t, err)
	fb, err := e.store.FilingByOwner(e.ctx, officeID, bob.ID)
	require.NoError(t, err)
	a, err := e.store.Filing(e.ctx, fa.ID)
	require.NoError(t, err)

	// Bob's record with Alice's sealed ID number: stored by someone with
	// write access to the database, bypassing the SDK.
	moved := fb
	moved.Content.LegalRep.IDNumber = a.Content.LegalRep.IDNumber
	moved.Content.ContactPhone = a.Content.LegalRep.IDNumber // and into another field
	moved.Version++
	require.NoError(t, e.store.Commit(e.ctx, notary.Change{Filing: &moved, ExpectedVersion: fb.Version}))

	_, err = e.svc.Filings.Reveal(e.ctx, bob, fb.ID, notary.FieldLegalRepIDNumber)
	require.ErrorIs(t, err, notary.ErrUnsealable)
	_, err = e.svc.Filings.Reveal(e.ctx, bob, fb.ID, notary.FieldContactPhone)
	require.ErrorIs(t, err, notary.ErrUnsealable)
	got, err := e.svc.Filings.Get(e.ctx, bob, fb.ID)
	require.NoError(t, err, "a masked read shows what does not open as unreadable, and goes on")
	assert.Equal(t, "[unreadable]", got.Content.LegalRep.IDNumber)
	assert.False(t, strings.Contains(got.Content.ContactPhone, "1101"))
}

func TestByIDNumberFindsByBlindIndex(t *testing.T) {
	e := newEnv(t, func(c *notary.Config) {
		c.Blinder = notary.HMACBlinder([]byte("a host's 32-byte blind index key!"))
	})
	_, err := e.svc.Filings.Submit(e.ctx, alice, notarytest.FilingContent()) // legal rep 11010519491231002X
	require.NoError(t, err)
	c := notarytest.FilingContent()
	c.LegalRep = notary.Person{Name: "王五", IDType: notary.IDPassport, IDNumber: "E55555555"}
	c.Agent = &notary.Agent{Person: notary.Person{Name: "Zhang San", IDType: notary.IDResident, IDNumber: "11010519491231002X"},
		PowerOfAttorney: notarytest.Document("poa.pdf"), IDDocument: notarytest.Document("id.pdf")}
	fb, err := e.svc.Filings.Submit(e.ctx, bob, c) // the same person as Bob's agent
	require.NoError(t, err)

	stored, err := e.store.FilingByOwner(e.ctx, officeID, alice.ID)
	require.NoError(t, err)
	lookup := stored.Content.LegalRep.IDLookup
	require.NotEmpty(t, lookup)
	assert.NotContains(t, lookup, "1101")
	assert.Empty(t, fb.Content.LegalRep.IDLookup, "reads do not show blind indexes")

	tests := []struct {
		name   string
		typ    notary.IDType
		number string
		want   []string // owners
	}{
		{"as legal rep and as agent", notary.IDResident, "11010519491231002X", []string{alice.ID, bob.ID}},
		{"lower case and spaces normalized", notary.IDResident, " 11010519491231002x ", []string{alice.ID, bob.ID}},
		{"passport", notary.IDPassport, "E55555555", []string{bob.ID}},
		{"same number, other type", notary.IDHKMO, "E55555555", nil},
		{"never filed", notary.IDResident, "440300199001011234", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.svc.Filings.ByIDNumber(e.ctx, e.reviewer, tc.typ, tc.number)
			require.NoError(t, err)
			var owners []string
			for _, f := range got {
				owners = append(owners, f.Owner.ID)
				assert.NotContains(t, f.Content.LegalRep.IDNumber+f.Content.ContactPhone, "13800138000", "masked")
			}
			assert.Equal(t, tc.want, owners)
		})
	}
	_, err = e.svc.Filings.ByIDNumber(e.ctx, e.reviewer, "driving_licence", "X1")
	require.ErrorIs(t, err, notary.ErrInvalidInput)
	_, err = e.svc.Filings.ByIDNumber(e.ctx, notary.Admin{}, notary.IDResident, "11010519491231002X")
	require.Error(t, err)

	// Under another key the same number indexes apart.
	other := newEnv(t, func(c *notary.Config) {
		c.Blinder = notary.HMACBlinder([]byte("another host's 32-byte blind key"))
	})
	_, err = other.svc.Filings.Submit(other.ctx, alice, notarytest.FilingContent())
	require.NoError(t, err)
	o, err := other.store.FilingByOwner(other.ctx, officeID, alice.ID)
	require.NoError(t, err)
	assert.NotEqual(t, lookup, o.Content.LegalRep.IDLookup)
	_, err = notary.HMACBlinder([]byte("short")).Blind(e.ctx, "p", []byte("v"))
	require.Error(t, err, "a short key is refused")
}

// TestResealSealsLegacyPlaintext: a filing stored before sealing existed
// (plain personal fields, as an upgraded database holds them) reads
// masked, and Reseal seals it and computes its blind index.
func TestResealSealsLegacyPlaintext(t *testing.T) {
	e := newEnv(t)
	f, err := e.svc.Filings.Submit(e.ctx, alice, notarytest.FilingContent())
	require.NoError(t, err)
	stored, err := e.store.Filing(e.ctx, f.ID)
	require.NoError(t, err)
	legacy := stored
	legacy.Content = notarytest.FilingContent() // plain, no blind index
	legacy.Version++
	require.NoError(t, e.store.Commit(e.ctx, notary.Change{Filing: &legacy, ExpectedVersion: stored.Version}))

	got, err := e.svc.Filings.Get(e.ctx, alice, f.ID)
	require.NoError(t, err)
	assert.Equal(t, "1101**********002X", got.Content.LegalRep.IDNumber, "plain legacy values are masked too")
	found, err := e.svc.Filings.ByIDNumber(e.ctx, e.reviewer, notary.IDResident, "11010519491231002X")
	require.NoError(t, err)
	assert.Empty(t, found, "no blind index yet")

	rep, err := e.svc.Filings.Reseal(e.ctx, 0)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Resealed)
	after, err := e.store.Filing(e.ctx, f.ID)
	require.NoError(t, err)
	assert.True(t, notary.IsSealed(after.Content.LegalRep.IDNumber))
	assert.True(t, notary.IsSealed(after.Content.ContactPhone))
	found, err = e.svc.Filings.ByIDNumber(e.ctx, e.reviewer, notary.IDResident, "11010519491231002X")
	require.NoError(t, err)
	require.Len(t, found, 1)
	full, err := e.svc.Filings.Reveal(e.ctx, alice, f.ID)
	require.NoError(t, err)
	assert.Equal(t, "13800138000", full.Content.ContactPhone)
}
