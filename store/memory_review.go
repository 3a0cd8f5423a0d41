package store

import (
	"context"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// ReviewReader.

// ApplicationForReview returns what Application and SessionAdmin return,
// read under one lock.
func (m *Memory) ApplicationForReview(ctx context.Context, id uuid.UUID, tokenHash string) (notary.Application, notary.SessionLookup, error) {
	if err := ctx.Err(); err != nil {
		return notary.Application{}, notary.SessionLookup{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	a, ok := m.apps[id]
	if !ok {
		return notary.Application{}, notary.SessionLookup{}, notFound("application %s", id)
	}
	return cloneApplication(a), m.sessionAdmin(tokenHash), nil
}

// FilingForReview returns what Filing and SessionAdmin return, read under
// one lock.
func (m *Memory) FilingForReview(ctx context.Context, id uuid.UUID, tokenHash string) (notary.Filing, notary.SessionLookup, error) {
	if err := ctx.Err(); err != nil {
		return notary.Filing{}, notary.SessionLookup{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	f, ok := m.filings[id]
	if !ok {
		return notary.Filing{}, notary.SessionLookup{}, notFound("filing %s", id)
	}
	return cloneFiling(f), m.sessionAdmin(tokenHash), nil
}
