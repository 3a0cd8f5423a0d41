package notary_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// TestReviewStats buckets the review turnaround by week and the
// applications by month in the office's time zone (Asia/Shanghai by
// default), with percentiles as PostgreSQL's percentile_cont.
func TestReviewStats(t *testing.T) {
	e := newEnv(t)
	cst := notary.DefaultTimeZone()
	sunday := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC) // Sunday 18:00 in Shanghai
	e.clock.Set(sunday)
	e.approvedFiling(alice) // decided at once: a wait of 0, in the week of 23 November
	f, err := e.svc.Filings.Submit(e.ctx, bob, notarytest.FilingContent())
	require.NoError(t, err)
	// 16:30 UTC on Sunday is 00:30 on Monday 30 November in Shanghai.
	e.clock.Set(sunday.Add(6*time.Hour + 30*time.Minute))
	_, err = e.svc.Reviews.ApproveFiling(e.ctx, e.reviewer, f.ID, f.Version)
	require.NoError(t, err)
	app := e.appIn(notary.PendingPreliminaryReview) // made and paid on 30 November in Shanghai
	e.clock.Advance(3 * time.Hour)
	_, err = e.svc.Reviews.ApprovePreliminary(e.ctx, e.reviewer, app.ID, app.Version)
	require.NoError(t, err)
	e.appIn(notary.AwaitingPayment) // made, not paid
	e.clock.Set(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))

	st, err := e.svc.Reviews.Stats(e.ctx, e.reviewer, 2, 2)
	require.NoError(t, err)
	require.Len(t, st.Weeks, 2)
	assert.Equal(t, time.Date(2026, 11, 23, 0, 0, 0, 0, cst), st.Weeks[0].Start)
	assert.Equal(t, notary.WeekStats{Start: st.Weeks[0].Start, Decisions: 1}, st.Weeks[0], "one decision without a wait")
	assert.Equal(t, notary.WeekStats{Start: time.Date(2026, 11, 30, 0, 0, 0, 0, cst), Decisions: 2,
		Median: 4*time.Hour + 45*time.Minute, P90: 6*time.Hour + 9*time.Minute}, st.Weeks[1], "waits of 6h30m and 3h")

	require.Len(t, st.Months, 2)
	assert.Equal(t, time.Date(2026, 11, 1, 0, 0, 0, 0, cst), st.Months[0].Start)
	assert.Equal(t, time.Date(2026, 12, 1, 0, 0, 0, 0, cst), st.Months[1].Start)
	require.Len(t, st.Months[0].Totals, 1)
	nov := st.Months[0].Totals[0]
	assert.Equal(t, 2, nov.Applications)
	assert.Equal(t, 1, nov.Paid)
	assert.Equal(t, app.Quote.Amount.String(), nov.Fees.String())
	assert.True(t, nov.Refunded.IsZero())
	assert.Equal(t, 2, st.Months[0].Applications())
	assert.Empty(t, st.Months[1].Totals, "nothing made in December yet")

	for _, bad := range [][2]int{{0, 1}, {notary.MaxStatsWeeks + 1, 1}, {1, 0}, {1, notary.MaxStatsMonths + 1}} {
		_, err = e.svc.Reviews.Stats(e.ctx, e.reviewer, bad[0], bad[1])
		assert.ErrorIs(t, err, notary.ErrInvalidInput, "%v", bad)
	}
	_, stranger := e.otherOffice()
	_, err = e.svc.Reviews.Stats(e.ctx, stranger, 2, 2)
	assert.ErrorIs(t, err, notary.ErrForbidden)
}
