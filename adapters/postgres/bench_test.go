package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// BenchmarkCommit measures one typical transition: creating an application
// with three evidence reservations, one audit event and two outbox notices,
// in one transaction.
func BenchmarkCommit(b *testing.B) {
	st, _, _ := newStore(b)
	ctx := context.Background()
	office := uuid.New()
	// Warm the pool and the prepared-statement cache.
	if err := st.Commit(ctx, createChange(testApplication(office, "warm", 3))); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		c := createChange(testApplication(office, "u", 3))
		b.StartTimer()
		if err := st.Commit(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReviewRead compares what a review decision reads before its
// commit: the application and then the admin's session with its account
// (two round trips), or both in one ReviewReader round trip.
func BenchmarkReviewRead(b *testing.B) {
	st, _, _ := newStore(b)
	ctx := context.Background()
	a := testApplication(uuid.New(), "u", 3)
	if err := st.Commit(ctx, createChange(a)); err != nil {
		b.Fatal(err)
	}
	admin := notary.AdminAccount{ID: uuid.New(), OfficeID: a.OfficeID, Email: "rita@example.com", Name: "Rita",
		Role: notary.RoleReviewer, Version: 1, CreatedAt: a.CreatedAt, UpdatedAt: a.CreatedAt}
	if err := st.CreateAdmin(ctx, admin, notary.Event{}); err != nil {
		b.Fatal(err)
	}
	sess := notary.Session{TokenHash: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		AdminID: admin.ID, OfficeID: a.OfficeID, CreatedAt: a.CreatedAt, LastSeenAt: a.CreatedAt, ExpiresAt: a.CreatedAt.Add(time.Hour)}
	if err := st.CreateSession(ctx, sess); err != nil {
		b.Fatal(err)
	}
	b.Run("separate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := st.Application(ctx, a.ID); err != nil {
				b.Fatal(err)
			}
			if _, _, err := st.SessionAdmin(ctx, sess.TokenHash); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("joint", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, lookup, err := st.ApplicationForReview(ctx, a.ID, sess.TokenHash)
			if err == nil {
				err = lookup.Err
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
