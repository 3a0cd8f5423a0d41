package notary_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// noticeAmounts returns "amount currency" of each pending notice of kind on recordID.
func (e *env) noticeAmounts(recordID uuid.UUID, kind notary.NoticeKind) []string {
	ns, err := e.store.ListNotices(e.ctx, notary.NoticePending, 100000)
	require.NoError(e.t, err)
	var out []string
	for _, n := range ns {
		if n.RecordID == recordID && n.Kind == kind {
			out = append(out, n.Data.Amount+" "+n.Data.Currency)
		}
	}
	return out
}

// Notices carry money as text with exactly two decimals, the quote's for a
// payment and the refund's own for a refund.
func TestNoticeAmountsHaveTwoDecimals(t *testing.T) {
	e := newEnv(t)
	paid := e.appIn(notary.PendingPreliminaryReview)
	assert.Equal(t, []string{"300.00 CNY", "300.00 CNY"}, e.noticeAmounts(paid.ID, notary.NoticePaymentReceived),
		"in-site and email")

	a := e.appIn(notary.AwaitingPayment)
	e.clock.Advance(time.Hour)
	_, err := e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	_, err = e.svc.Applications.HandlePaymentEvent(e.ctx, e.pay.Settle(a.Payment.ID, e.clock.Now()))
	require.NoError(t, err)
	assert.Equal(t, []string{"300.00 CNY", "300.00 CNY"}, e.noticeAmounts(a.ID, notary.NoticeRefunded))
}
