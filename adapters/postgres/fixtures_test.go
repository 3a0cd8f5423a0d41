package postgres_test

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment"
)

var base = time.Date(2026, 3, 4, 5, 6, 7, 891011000, time.UTC)

func testApplication(office uuid.UUID, owner string, evidence int) notary.Application {
	id := uuid.New()
	ev := make([]notary.Evidence, evidence)
	for i := range ev {
		ev[i] = notary.Evidence{ID: fmt.Sprintf("ev-%s-%d", id, i), Title: fmt.Sprintf("合同 %d", i),
			SHA256: fmt.Sprintf("%064x", i)}
	}
	q, err := payment.DefaultPricing().Quote(evidence)
	if err != nil {
		panic(err)
	}
	return notary.Application{
		ID: id, OfficeID: office, Owner: notary.User{ID: owner, Email: owner + "@example.com", Name: "用户"},
		State: notary.AwaitingPayment, Version: 1, FilingID: uuid.New(), FilingRevision: 1,
		Evidence: ev, Quote: q,
		Payment:   notary.PaymentRef{Provider: "mock", ID: "pay-" + id.String(), Status: notary.PaymentPending},
		CreatedAt: base, UpdatedAt: base, ExpiresAt: base.Add(30 * time.Minute),
	}
}

func testEvent(a notary.Application, seq int64, prev string) notary.Event {
	return notary.Event{
		ID: uuid.New(), RecordID: a.ID, RecordKind: notary.KindApplication, OfficeID: a.OfficeID, Seq: seq,
		Trigger: "t", From: "A", To: "B", Actor: notary.Actor{Kind: notary.ActorSystem, ID: "test"},
		At: base.Add(time.Duration(seq) * time.Second), PrevHash: prev, Hash: fmt.Sprintf("%064x", seq),
	}
}

func testNotice(a notary.Application, created time.Time) notary.Notice {
	return notary.Notice{
		ID: uuid.New(), OfficeID: a.OfficeID, RecordID: a.ID, RecordKind: notary.KindApplication,
		Kind: notary.NoticePaymentReceived, Channel: notary.ChannelEmail,
		To:        notary.Recipient{UserID: a.Owner.ID, Email: a.Owner.Email, Locale: "zh-CN"},
		Data:      notary.NoticeData{RecordID: a.ID, Amount: a.Quote.Amount.StringFixed(2), Currency: a.Quote.Currency},
		CreatedAt: created, Status: notary.NoticePending, NextAttemptAt: created,
	}
}

// createChange creates a with its evidence reserved, one event and two
// notices.
func createChange(a notary.Application) notary.Change {
	return notary.Change{
		Application: &a,
		Events:      []notary.Event{testEvent(a, 1, "")},
		Notices:     []notary.Notice{testNotice(a, a.CreatedAt), testNotice(a, a.CreatedAt)},
		Reserve:     a.EvidenceIDs(),
	}
}

// nextChange moves a (as stored) one version on, with an event and a notice.
func nextChange(a notary.Application, dedup string) notary.Change {
	next := a
	next.Version++
	next.State = notary.PendingPreliminaryReview
	next.UpdatedAt = a.UpdatedAt.Add(time.Minute)
	return notary.Change{
		Application:     &next,
		ExpectedVersion: a.Version,
		Events:          []notary.Event{testEvent(a, a.Version+1, fmt.Sprintf("%064x", a.Version))},
		Notices:         []notary.Notice{testNotice(a, next.UpdatedAt)},
		DedupKey:        dedup,
	}
}
