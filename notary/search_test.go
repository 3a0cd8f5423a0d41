package notary_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// TestReviewSearch finds records by every key a reviewer has at hand, and
// counts the review queues; both are for the office's admins only.
func TestReviewSearch(t *testing.T) {
	e := newEnv(t)
	app := e.appIn(notary.CertificateShipped) // alice's, shipped with a certificate number
	c := notarytest.FilingContent()
	c.EnterpriseName = "深圳乙科技有限公司"
	pending, err := e.svc.Filings.Submit(e.ctx, bob, c)
	require.NoError(t, err)
	filing, err := e.svc.Filings.Mine(e.ctx, alice)
	require.NoError(t, err)

	ids := func(text string) ([]uuid.UUID, []uuid.UUID) {
		t.Helper()
		res, err := e.svc.Reviews.Search(e.ctx, e.reviewer, text, 10)
		require.NoError(t, err, text)
		var fs, as []uuid.UUID
		for _, f := range res.Filings {
			fs = append(fs, f.ID)
		}
		for _, a := range res.Applications {
			as = append(as, a.ID)
		}
		return fs, as
	}
	fs, as := ids(app.ID.String())
	assert.Empty(t, fs)
	assert.Equal(t, []uuid.UUID{app.ID}, as, "a whole ID")
	_, as = ids(" " + app.ID.String()[24:] + " ")
	assert.Equal(t, []uuid.UUID{app.ID}, as, "the last 12 characters")
	_, as = ids(strings.ToUpper(app.ID.String()[28:]))
	assert.Equal(t, []uuid.UUID{app.ID}, as, "the last 8 characters, any case")
	_, as = ids(app.ID.String()[14:])
	assert.Equal(t, []uuid.UUID{app.ID}, as, "a longer tail, with hyphens")
	_, as = ids(app.Certificate.TrackingNumber)
	assert.Equal(t, []uuid.UUID{app.ID}, as, "a tracking number")
	_, as = ids(app.CertificateNumber)
	assert.Equal(t, []uuid.UUID{app.ID}, as, "a certificate number")
	fs, as = ids(filing.Content.EnterpriseName[:8])
	assert.Equal(t, []uuid.UUID{filing.ID}, fs, "the start of an enterprise name")
	assert.Equal(t, []uuid.UUID{app.ID}, as, "a filing brings its applications")
	fs, _ = ids(c.CreditCode)
	assert.Equal(t, []uuid.UUID{pending.ID, filing.ID}, fs, "a credit code, newest first")
	fs, _ = ids("深圳乙")
	assert.Equal(t, []uuid.UUID{pending.ID}, fs)
	fs, _ = ids("乙科技")
	assert.Equal(t, []uuid.UUID{pending.ID}, fs, "any part of an enterprise name")
	res, err := e.svc.Reviews.Search(e.ctx, e.reviewer, "深圳乙", 10)
	require.NoError(t, err)
	queue, err := e.svc.Reviews.FilingQueue(e.ctx, e.reviewer, notary.FilingPendingReview, nil, 10)
	require.NoError(t, err)
	require.Len(t, queue, 1)
	assert.Equal(t, queue[0].Content, res.Filings[0].Content, "personal fields masked as in the queue")
	assert.NotEqual(t, c.LegalRep.IDNumber, res.Filings[0].Content.LegalRep.IDNumber)
	fs, as = ids("no such thing")
	assert.Empty(t, fs)
	assert.Empty(t, as)

	_, err = e.svc.Reviews.Search(e.ctx, e.reviewer, "  ", 10)
	assert.ErrorIs(t, err, notary.ErrInvalidInput)
	_, stranger := e.otherOffice()
	_, err = e.svc.Reviews.Search(e.ctx, stranger, "x", 10)
	assert.ErrorIs(t, err, notary.ErrForbidden)

	waiting, err := e.svc.Reviews.Waiting(e.ctx, e.reviewer)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"PendingReview": 1, "PendingPreliminaryReview": 0, "PendingFinalReview": 0, "CertificateInProduction": 0}, waiting)
	_, err = e.svc.Reviews.Waiting(e.ctx, stranger)
	assert.ErrorIs(t, err, notary.ErrForbidden)
}

// TestLedger lists the applications of a period, every state, for the
// office's admins only.
func TestLedger(t *testing.T) {
	e := newEnv(t)
	first := e.appIn(notary.PendingPreliminaryReview)
	e.clock.Advance(time.Hour)
	second := e.appIn(notary.Cancelled)
	from := first.CreatedAt
	all, err := e.svc.Reviews.Ledger(e.ctx, e.reviewer, from, time.Time{}, nil, 10)
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, []uuid.UUID{first.ID, second.ID}, []uuid.UUID{all[0].ID, all[1].ID})
	only, err := e.svc.Reviews.Ledger(e.ctx, e.reviewer, from, second.CreatedAt, nil, 10)
	require.NoError(t, err)
	require.Len(t, only, 1, "to is exclusive")
	later, err := e.svc.Reviews.Ledger(e.ctx, e.reviewer, from.Add(time.Microsecond), time.Time{}, nil, 10)
	require.NoError(t, err)
	require.Len(t, later, 1, "from is inclusive")
	assert.Equal(t, second.ID, later[0].ID)
	_, err = e.svc.Reviews.Ledger(e.ctx, e.reviewer, second.CreatedAt, from, nil, 10)
	assert.ErrorIs(t, err, notary.ErrInvalidInput)
	_, stranger := e.otherOffice()
	_, err = e.svc.Reviews.Ledger(e.ctx, stranger, from, time.Time{}, nil, 10)
	assert.ErrorIs(t, err, notary.ErrForbidden)
}

// TestSearchNamesOnlyWhenNoIdentifierMatches: an identifier that matches
// is what the reviewer meant, so names containing the same text are not
// listed with it; text that matches no identifier is searched in names.
func TestSearchNamesOnlyWhenNoIdentifierMatches(t *testing.T) {
	e := newEnv(t)
	mine, err := e.svc.Filings.Submit(e.ctx, alice, notarytest.FilingContent())
	require.NoError(t, err)
	c := notarytest.FilingContent()
	c.CreditCode = "9144030071526726XG" // another enterprise's, published
	c.EnterpriseName = "深圳" + mine.Content.CreditCode + "贸易有限公司"
	named, err := e.svc.Filings.Submit(e.ctx, bob, c)
	require.NoError(t, err)

	res, err := e.svc.Reviews.Search(e.ctx, e.reviewer, mine.Content.CreditCode, 10)
	require.NoError(t, err)
	require.Len(t, res.Filings, 1, "the credit code matched; the name holding it is not listed")
	assert.Equal(t, mine.ID, res.Filings[0].ID)
	res, err = e.svc.Reviews.Search(e.ctx, e.reviewer, mine.Content.CreditCode[2:]+"贸易", 10)
	require.NoError(t, err)
	require.Len(t, res.Filings, 1, "no identifier matches: the name does")
	assert.Equal(t, named.ID, res.Filings[0].ID)
}
