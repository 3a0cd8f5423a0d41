package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// A notifier error carrying a NUL byte or invalid UTF-8, which PostgreSQL
// text cannot hold, must not fail the batch it is finished with.
func TestFinishNoticesStoresUnrepresentableErrors(t *testing.T) {
	t.Parallel()
	st, _, _ := newStore(t)
	ctx := context.Background()
	c := createChange(testApplication(uuid.New(), "u", 1))
	if err := st.Commit(ctx, c); err != nil {
		t.Fatal(err)
	}
	now := base.Add(time.Hour)
	claimed, err := st.ClaimNotices(ctx, now, time.Minute, 10)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claimed %d (err %v)", len(claimed), err)
	}
	stale, err := st.FinishNotices(ctx, []notary.NoticeResult{
		{ID: claimed[0].ID, Claim: claimed[0].Claim, Outcome: notary.NoticeOutcome{Status: notary.NoticeDelivered, At: now}},
		{ID: claimed[1].ID, Claim: claimed[1].Claim, Outcome: notary.NoticeOutcome{
			Status: notary.NoticeDead, Error: "550 bad\x00 reply \xff", At: now}},
	})
	if err != nil || len(stale) != 0 {
		t.Fatalf("finish: stale %v, err %v", stale, err)
	}
	dead, err := st.ListNotices(ctx, notary.NoticeDead, 10)
	if err != nil || len(dead) != 1 {
		t.Fatalf("dead: %d (err %v)", len(dead), err)
	}
	if want := "550 bad\uFFFD reply \uFFFD"; dead[0].LastError != want {
		t.Errorf("LastError = %q, want %q", dead[0].LastError, want)
	}
	delivered, err := st.ListNotices(ctx, notary.NoticeDelivered, 10)
	if err != nil || len(delivered) != 1 {
		t.Fatalf("delivered: %d (err %v)", len(delivered), err)
	}
}
