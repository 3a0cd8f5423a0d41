package store_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/store"
)

func ExampleNewMemory() {
	ctx := context.Background()
	s := store.NewMemory()

	office := uuid.New()
	now := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	f := notary.Filing{
		ID:        uuid.New(),
		OfficeID:  office,
		Owner:     notary.User{ID: "u-42", Email: "u42@example.com"},
		State:     notary.FilingPendingReview,
		Version:   1,
		Revision:  1,
		Content:   notary.FilingContent{EnterpriseName: "Acme Ltd"},
		CreatedAt: now,
		UpdatedAt: now,
	}
	review := notary.Notice{
		ID: uuid.New(), OfficeID: office, RecordID: f.ID, RecordKind: notary.KindFiling,
		Kind: notary.NoticeFilingReview, Channel: notary.ChannelEmail, CreatedAt: now,
	}
	// The filing, its audit event and its notice are stored together.
	err := s.Commit(ctx, notary.Change{
		Filing:  &f,
		Events:  []notary.Event{{ID: uuid.New(), RecordID: f.ID, RecordKind: notary.KindFiling, OfficeID: office, Seq: 1, Trigger: "submit", At: now}},
		Notices: []notary.Notice{review},
	})
	if err != nil {
		panic(err)
	}

	got, _ := s.FilingByOwner(ctx, office, "u-42")
	fmt.Println(got.Content.EnterpriseName, got.State, got.Version)

	// A second writer that read version 0 loses.
	again := f
	err = s.Commit(ctx, notary.Change{Filing: &again})
	fmt.Println(errors.Is(err, notary.ErrConflict))

	// A relay claims the notice for delivery.
	claimed, _ := s.ClaimNotices(ctx, now.Add(time.Second), time.Minute, 10)
	fmt.Println(len(claimed), claimed[0].Kind, claimed[0].Attempts)
	// Output:
	// Acme Ltd PendingReview 1
	// true
	// 1 filing.review_requested 1
}
