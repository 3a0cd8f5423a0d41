package storetest

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// reviewIndexGroup checks the optional notary.ReviewIndex behind the
// review console's counts and search; stores without it skip the group.
var reviewIndexGroup = group{"ReviewIndex", []test{
	{"CountsAQueue", testCountQueues},
	{"FindsFilings", testFindFilings},
	{"FindsApplications", testFindApplications},
	{"RefusesBadQueries", testFindRefusals},
}}

func reviewIndex(t *testing.T, s notary.Store) notary.ReviewIndex {
	t.Helper()
	ix, ok := s.(notary.ReviewIndex)
	if !ok {
		t.Skip("the store does not implement the optional notary.ReviewIndex")
	}
	return ix
}

func testCountQueues(t *testing.T, s notary.Store) {
	ix := reviewIndex(t, s)
	ctx := t.Context()
	office, other := uuid.New(), uuid.New()
	for i, st := range []notary.FilingState{notary.FilingPendingReview, notary.FilingPendingReview, notary.FilingApproved} {
		f := newFiling(office, uuid.NewString(), at(time.Duration(i)*time.Minute))
		f.State = st
		commit(t, s, createChange(f))
	}
	commit(t, s, createChange(newFiling(other, "stranger", base)))
	for i, st := range []notary.ApplicationState{notary.PendingPreliminaryReview, notary.PendingPreliminaryReview,
		notary.PendingPreliminaryReview, notary.PendingFinalReview, notary.Completed} {
		a := newApplication(office, "alice", 1, at(time.Duration(i)*time.Minute))
		a.State = st
		commit(t, s, createAppChange(a))
	}
	a := newApplication(other, "bob", 1, base)
	a.State = notary.PendingPreliminaryReview
	commit(t, s, createAppChange(a))

	n, err := ix.CountFilings(ctx, office, notary.FilingPendingReview)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	n, err = ix.CountFilings(ctx, office, notary.FilingRejected)
	require.NoError(t, err)
	assert.Zero(t, n)
	for st, want := range map[notary.ApplicationState]int{
		notary.PendingPreliminaryReview: 3, notary.PendingFinalReview: 1, notary.CertificateInProduction: 0,
	} {
		n, err = ix.CountApplications(ctx, office, st)
		require.NoError(t, err)
		assert.Equal(t, want, n, "%s", st)
	}
	n, err = ix.CountApplications(ctx, uuid.New(), notary.PendingPreliminaryReview)
	require.NoError(t, err)
	assert.Zero(t, n, "an unknown office")
}

func testFindFilings(t *testing.T, s notary.Store) {
	ix := reviewIndex(t, s)
	ctx := t.Context()
	office := uuid.New()
	mk := func(name, code string, created time.Time) notary.Filing {
		f := newFiling(office, uuid.NewString(), created)
		f.Content.EnterpriseName, f.Content.CreditCode = name, code
		commit(t, s, createChange(f))
		return f
	}
	a := mk("深圳市甲科技有限公司", "91350100M000100Y43", base)
	b := mk("深圳市乙贸易有限公司", "911100007109288773", at(time.Minute))
	c := mk("广州丙_100%公司", "91350100M000100Y43", at(2*time.Minute))
	stranger := newFiling(uuid.New(), "stranger", base)
	stranger.Content.EnterpriseName = "深圳市外所公司"
	commit(t, s, createChange(stranger))

	find := func(q notary.FindQuery) []uuid.UUID {
		t.Helper()
		q.OfficeID = office
		if q.Limit == 0 {
			q.Limit = 10
		}
		got, err := ix.FindFilings(ctx, q)
		require.NoError(t, err)
		ids := make([]uuid.UUID, len(got))
		for i, f := range got {
			ids[i] = f.ID
			assert.Equal(t, normFiling(getFiling(t, s, f.ID)), normFiling(f), "whole records")
		}
		return ids
	}
	d := mk("ACME 深港贸易", "911100007109288773", at(3*time.Minute))
	enterprise := func(text string) []uuid.UUID { return find(notary.FindQuery{Enterprise: text}) }
	assert.Equal(t, []uuid.UUID{b.ID, a.ID}, enterprise("深圳市"), "newest first, office only")
	assert.Equal(t, []uuid.UUID{b.ID}, enterprise("深圳市乙"))
	assert.Equal(t, []uuid.UUID{b.ID}, find(notary.FindQuery{Enterprise: "深圳市", Limit: 1}), "limited")
	assert.Equal(t, []uuid.UUID{a.ID}, enterprise("甲科技"), "any part of the name")
	assert.Equal(t, []uuid.UUID{b.ID, a.ID}, enterprise("有限公司"), "any part of the name")
	assert.Equal(t, []uuid.UUID{b.ID, a.ID}, enterprise("深圳"), "short text: the start of the name")
	assert.Empty(t, enterprise("甲"), "short text is not matched inside a name")
	assert.Empty(t, enterprise("科技"), "short text is not matched inside a name")
	assert.Equal(t, []uuid.UUID{c.ID}, enterprise("丙_100%"), "LIKE wildcards are literal")
	assert.Equal(t, []uuid.UUID{c.ID}, enterprise("%公司"))
	assert.Empty(t, enterprise("市_科"))
	assert.Empty(t, enterprise("广州丙_1000"))
	assert.Empty(t, enterprise("%"))
	assert.Empty(t, enterprise("广州丙%"))
	assert.Equal(t, []uuid.UUID{d.ID}, enterprise("CME"), "case-sensitive")
	assert.Empty(t, enterprise("cme"), "case-sensitive")
	assert.Empty(t, enterprise("Acme"), "case-sensitive")
	assert.Empty(t, enterprise(`"深圳`), "quotes are text")
	assert.Equal(t, []uuid.UUID{c.ID, a.ID}, find(notary.FindQuery{CreditCode: "91350100M000100Y43"}))
	assert.Equal(t, []uuid.UUID{b.ID}, find(notary.FindQuery{ID: b.ID}))
	assert.Empty(t, find(notary.FindQuery{ID: stranger.ID}), "another office's record")
	for _, n := range []int{notary.MinIDSuffixLen, 8, 12, 13, 17, 36} {
		sfx := a.ID.String()[36-n:]
		assert.Equal(t, []uuid.UUID{a.ID}, find(notary.FindQuery{IDSuffix: sfx}), "the last %d characters", n)
	}
	assert.Empty(t, find(notary.FindQuery{IDSuffix: a.ID.String()[28:34]}), "the tail, not any part")

	// A resubmission renames the enterprise: the index follows the record.
	a2 := a
	a2.Version, a2.Revision, a2.UpdatedAt = 2, 2, at(time.Hour)
	a2.Content.EnterpriseName = "杭州甲科技有限公司"
	commit(t, s, notary.Change{Filing: &a2, ExpectedVersion: 1,
		Events: []notary.Event{nextEvent(t, s, a.ID, notary.KindFiling, office, at(time.Hour))}})
	assert.Equal(t, []uuid.UUID{b.ID}, enterprise("深圳市"))
	assert.Equal(t, []uuid.UUID{a.ID}, enterprise("杭州"))
	assert.Equal(t, []uuid.UUID{a.ID}, enterprise("杭州甲科技"))
	assert.Empty(t, enterprise("深圳市甲"), "the old name is gone")
}

func testFindApplications(t *testing.T, s notary.Store) {
	ix := reviewIndex(t, s)
	ctx := t.Context()
	office := uuid.New()
	full := fullApplication(office, "alice", 2, base)
	commit(t, s, createAppChange(full))
	plain := newApplication(office, "bob", 1, at(time.Minute))
	plain.FilingID = full.FilingID
	commit(t, s, createAppChange(plain))
	stranger := fullApplication(uuid.New(), "eve", 1, base)
	stranger.CertificateNumber = "其他"
	commit(t, s, createAppChange(stranger))

	find := func(q notary.FindQuery) []uuid.UUID {
		t.Helper()
		q.OfficeID, q.Limit = office, 10
		got, err := ix.FindApplications(ctx, q)
		require.NoError(t, err)
		ids := make([]uuid.UUID, len(got))
		for i, a := range got {
			ids[i] = a.ID
			assert.Equal(t, normApp(getApp(t, s, a.ID)), normApp(a), "whole records")
		}
		return ids
	}
	assert.Equal(t, []uuid.UUID{full.ID}, find(notary.FindQuery{ID: full.ID}))
	assert.Equal(t, []uuid.UUID{plain.ID}, find(notary.FindQuery{IDSuffix: plain.ID.String()[24:]}))
	assert.Equal(t, []uuid.UUID{plain.ID}, find(notary.FindQuery{IDSuffix: plain.ID.String()[28:]}), "8 characters")
	assert.Equal(t, []uuid.UUID{plain.ID}, find(notary.FindQuery{IDSuffix: plain.ID.String()[19:]}), "with a hyphen")
	assert.Equal(t, []uuid.UUID{full.ID}, find(notary.FindQuery{TrackingNumber: full.Materials.TrackingNumber}), "materials")
	assert.Equal(t, []uuid.UUID{full.ID}, find(notary.FindQuery{TrackingNumber: full.Certificate.TrackingNumber}), "certificate")
	assert.Equal(t, []uuid.UUID{full.ID}, find(notary.FindQuery{CertificateNumber: full.CertificateNumber}))
	assert.Equal(t, []uuid.UUID{plain.ID, full.ID}, find(notary.FindQuery{FilingID: full.FilingID}), "newest first")
	assert.Empty(t, find(notary.FindQuery{TrackingNumber: "SF000000000000"}))
	assert.Empty(t, find(notary.FindQuery{ID: stranger.ID}), "another office's record")
	assert.Empty(t, find(notary.FindQuery{CertificateNumber: "其他"}))
}

func testFindRefusals(t *testing.T, s notary.Store) {
	ix := reviewIndex(t, s)
	office := uuid.New()
	for name, q := range map[string]notary.FindQuery{
		"no office":  {Limit: 1, CreditCode: "x"},
		"no key":     {OfficeID: office, Limit: 1},
		"two keys":   {OfficeID: office, Limit: 1, CreditCode: "x", TrackingNumber: "y"},
		"no limit":   {OfficeID: office, CreditCode: "x"},
		"huge limit": {OfficeID: office, Limit: notary.MaxFindLimit + 1, CreditCode: "x"},
		"short sfx":  {OfficeID: office, Limit: 1, IDSuffix: "abc"},
		"upper sfx":  {OfficeID: office, Limit: 1, IDSuffix: "ABCDEF012345"},
		"hyphen sfx": {OfficeID: office, Limit: 1, IDSuffix: "abcdef-"},
		"long sfx":   {OfficeID: office, Limit: 1, IDSuffix: "0123456789abc"},
	} {
		_, err := ix.FindFilings(t.Context(), q)
		requireIs(t, err, notary.ErrInvalidInput, name)
		_, err = ix.FindApplications(t.Context(), q)
		requireIs(t, err, notary.ErrInvalidInput, name)
	}
}
