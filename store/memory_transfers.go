package store

import (
	"context"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// Transfers.

// transferMemory holds kept bank transfers, guarded by Memory.mu.
type transferMemory struct {
	byID  map[uuid.UUID]notary.BankTransfer
	index map[uuid.UUID]*ordered // per office, by (RecordedAt, ID)
}

// checkMatch is Commit's check of a change's Match: the office's transfer
// exists and is unmatched.
func (t *transferMemory) checkMatch(office, id uuid.UUID) error {
	bt, ok := t.byID[id]
	switch {
	case !ok || bt.OfficeID != office:
		return notFound("transfer %s", id)
	case bt.Status != notary.TransferUnmatched:
		return conflict("transfer %s is %s", id, bt.Status)
	}
	return nil
}

// match applies a checked Match.
func (t *transferMemory) match(m notary.TransferMatch, app uuid.UUID) {
	bt := t.byID[m.TransferID]
	bt.Status, bt.ApplicationID, bt.MatchedAt, bt.MatchedBy = notary.TransferMatched, app, m.At, m.By
	t.byID[m.TransferID] = bt
}

// KeepTransfer stores an unmatched transfer with its serial's dedup key,
// as documented on [notary.Transfers].
func (m *Memory) KeepTransfer(ctx context.Context, t notary.BankTransfer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	key := notary.TransferDedupKey(t.Transfer.Serial)
	if _, ok := m.dedup[key]; ok {
		return duplicate("dedup key %q already used", key)
	}
	if _, ok := m.transfers.byID[t.ID]; ok {
		return conflict("transfer %s already exists", t.ID)
	}
	if m.transfers.byID == nil {
		m.transfers.byID, m.transfers.index = map[uuid.UUID]notary.BankTransfer{}, map[uuid.UUID]*ordered{}
	}
	m.dedup[key] = struct{}{}
	m.transfers.byID[t.ID] = t
	indexOf(m.transfers.index, t.OfficeID).insert(pos(t.RecordedAt, t.ID))
	return nil
}

// Transfer returns the kept transfer with id, or ErrNotFound.
func (m *Memory) Transfer(ctx context.Context, id uuid.UUID) (notary.BankTransfer, error) {
	if err := ctx.Err(); err != nil {
		return notary.BankTransfer{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	bt, ok := m.transfers.byID[id]
	if !ok {
		return notary.BankTransfer{}, notFound("transfer %s", id)
	}
	return bt, nil
}

// ListTransfers returns the office's kept transfers selected by q in
// (RecordedAt, ID) order.
func (m *Memory) ListTransfers(ctx context.Context, q notary.TransferQuery) ([]notary.BankTransfer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	idx := m.transfers.index[q.OfficeID]
	if idx == nil {
		return nil, nil
	}
	i := 0
	if q.After != nil {
		i = idx.upperBound(pos(q.After.CreatedAt, q.After.ID))
	}
	var out []notary.BankTransfer
	for ; i < len(*idx) && len(out) < q.PageSize(); i++ {
		bt := m.transfers.byID[(*idx)[i].id]
		if q.Status == "" || bt.Status == q.Status {
			out = append(out, bt)
		}
	}
	return out, nil
}
