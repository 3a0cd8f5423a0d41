package postgres_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
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
