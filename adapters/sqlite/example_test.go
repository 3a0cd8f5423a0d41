package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/adapters/sqlite"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment"
)

// Example stores an application with its audit event, evidence reservation
// and outbox notice in one Commit, shows optimistic concurrency at work, and
// relays the notice.
func Example() {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Memory) // or a file path, e.g. "notarykit.db"
	if err != nil {
		panic(err)
	}
	defer st.Close()

	office := uuid.MustParse("7f9c1c1e-0000-4000-8000-000000000001")
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	app := notary.Application{
		ID:        uuid.MustParse("0196a1b2-0000-7000-8000-000000000001"),
		OfficeID:  office,
		Owner:     notary.User{ID: "u-1", Email: "alice@example.com"},
		State:     notary.AwaitingPayment,
		Version:   1,
		Evidence:  []notary.Evidence{{ID: "ev-1", Title: "合同"}},
		Quote:     payment.Quote{Records: 1, Currency: payment.CNY, Amount: decimal.RequireFromString("300.00")},
		CreatedAt: now, UpdatedAt: now,
	}
	err = st.Commit(ctx, notary.Change{
		Application: &app,
		Events: []notary.Event{{ID: uuid.New(), RecordID: app.ID, RecordKind: notary.KindApplication,
			OfficeID: office, Seq: 1, Trigger: "apply", From: "New", To: string(app.State), At: now}},
		Notices: []notary.Notice{{ID: uuid.New(), OfficeID: office, RecordID: app.ID,
			RecordKind: notary.KindApplication, Kind: notary.NoticePreliminaryReview,
			Channel: notary.ChannelEmail, To: notary.Recipient{Email: "office@example.com"}, CreatedAt: now}},
		Reserve: app.EvidenceIDs(),
	})
	if err != nil {
		panic(err)
	}

	// Two reviewers read version 1 and decide at once: the first commit
	// wins, the second gets a conflict and changes nothing.
	next := app
	next.Version = 2
	next.State = notary.PendingPreliminaryReview
	fmt.Println("first decision:", st.Commit(ctx, notary.Change{Application: &next, ExpectedVersion: 1}))
	err = st.Commit(ctx, notary.Change{Application: &next, ExpectedVersion: 1})
	fmt.Println("second decision conflicts:", errors.Is(err, notary.ErrConflict))

	held, _ := st.Reservations(ctx, []string{"ev-1", "ev-2"})
	fmt.Println("ev-1 held by the application:", held["ev-1"] == app.ID, "- ev-2 free:", held["ev-2"] == uuid.Nil)

	got, _ := st.Application(ctx, app.ID)
	fmt.Println(got.State, got.Quote.Amount.StringFixed(2), got.Quote.Currency)

	// An outbox relay claims the notice, delivers it and records the outcome.
	claimed, _ := st.ClaimNotices(ctx, now, time.Minute, 10)
	var results []notary.NoticeResult
	for _, n := range claimed {
		fmt.Println("deliver", n.Kind, "to", n.To.Email, "attempt", n.Attempts)
		results = append(results, notary.NoticeResult{ID: n.ID, Claim: n.Claim,
			Outcome: notary.NoticeOutcome{Status: notary.NoticeDelivered, At: now}})
	}
	_, _ = st.FinishNotices(ctx, results)
	delivered, _ := st.ListNotices(ctx, notary.NoticeDelivered, 10)
	fmt.Println("delivered:", len(delivered))
	// Output:
	// first decision: <nil>
	// second decision conflicts: true
	// ev-1 held by the application: true - ev-2 free: true
	// PendingPreliminaryReview 300.00 CNY
	// deliver application.review_requested to office@example.com attempt 1
	// delivered: 1
}
