package store

import (
	"context"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// hostEventIndex orders the host event notices of a Memory by commit.
type hostEventIndex struct {
	seq      map[uuid.UUID]int         // notice ID → position in all, from 1
	all      []uuid.UUID               // every host event, in commit order
	byRecord map[uuid.UUID][]uuid.UUID // per record, in commit order
}

func (x *hostEventIndex) add(n *notary.Notice) {
	if x.seq == nil {
		x.seq, x.byRecord = map[uuid.UUID]int{}, map[uuid.UUID][]uuid.UUID{}
	}
	x.all = append(x.all, n.ID)
	x.seq[n.ID] = len(x.all)
	x.byRecord[n.RecordID] = append(x.byRecord[n.RecordID], n.ID)
}

// ListHostEvents returns the host events selected by q in commit order.
// An unknown q.After is ErrNotFound.
func (m *Memory) ListHostEvents(ctx context.Context, q notary.HostEventQuery) ([]notary.Notice, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	x := &m.hostEvents
	after := 0
	if q.After != uuid.Nil {
		seq, ok := x.seq[q.After]
		if !ok || m.notices[q.After].OfficeID != q.OfficeID {
			return nil, notFound("host event %s", q.After)
		}
		after = seq
	}
	src := x.all[min(after, len(x.all)):]
	if q.RecordID != uuid.Nil {
		src = x.byRecord[q.RecordID]
	}
	var out []notary.Notice
	limit := q.PageSize()
	for _, id := range src {
		if x.seq[id] <= after {
			continue
		}
		n := m.notices[id]
		if n.OfficeID != q.OfficeID {
			continue
		}
		out = append(out, cloneNotice(*n))
		if len(out) == limit {
			break
		}
	}
	return out, nil
}
