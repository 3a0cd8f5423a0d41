package notary_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// FuzzEventCanonical checks the audit event's canonical encoding and hash:
// no panic, a deterministic hash, an encoding that decodes back to the
// event (so it is injective), a hash that changes with every string field,
// and distinct encodings for the same characters split differently between
// adjacent fields.
func FuzzEventCanonical(f *testing.F) {
	f.Add("submit", "New", "PendingReview", "user", "u-alice", "Alice", "", "filing", int64(1), int64(1796029200000000), "")
	f.Add("ab", "c", "", "admin", "x", "y", "z", "application", int64(2), int64(0), "00")
	f.Fuzz(func(t *testing.T, trigger, from, to, actorKind, actorID, actorName, reason, kind string, seq, atMicro int64, prev string) {
		ev := notary.Event{
			ID:         uuid.MustParse("00000000-0000-4000-8000-000000000001"),
			RecordID:   uuid.MustParse("00000000-0000-4000-8000-000000000002"),
			OfficeID:   uuid.MustParse("00000000-0000-4000-8000-000000000003"),
			RecordKind: notary.RecordKind(kind), Seq: seq,
			Trigger: trigger, From: from, To: to,
			Actor:  notary.Actor{Kind: notary.ActorKind(actorKind), ID: actorID, Name: actorName},
			Reason: reason, At: time.UnixMicro(atMicro), PrevHash: prev,
		}
		h := ev.ComputeHash()
		if raw, err := hex.DecodeString(h); err != nil || len(raw) != 32 {
			t.Fatalf("hash %q is not hex SHA-256", h)
		}
		if again := ev.ComputeHash(); again != h {
			t.Fatalf("hash not deterministic: %s, %s", h, again)
		}
		ev.Hash = "anything"
		if ev.ComputeHash() != h {
			t.Fatal("the hash depends on the Hash field")
		}
		canon := ev.AppendCanonical(nil)
		if !bytes.Equal(ev.AppendCanonical([]byte("prefix"))[6:], canon) {
			t.Fatal("AppendCanonical depends on the buffer")
		}
		if got, ok := decodeCanonical(canon); !ok || got != canonicalFields(ev) {
			t.Fatalf("canonical encoding does not decode back: %+v, %v", got, ok)
		}

		// Every string field is part of the hash.
		fields := stringFields(&ev)
		for i, p := range fields {
			old := *p
			*p = old + "\x00"
			if ev.ComputeHash() == h {
				t.Fatalf("changing string field %d does not change the hash", i)
			}
			*p = old
		}
		// Moving a boundary between adjacent fields changes the encoding.
		for i := 0; i+1 < len(fields); i++ {
			a, b := fields[i], fields[i+1]
			if *a == "" {
				continue
			}
			oldA, oldB := *a, *b
			*a, *b = oldA[:len(oldA)-1], oldA[len(oldA)-1:]+oldB
			if bytes.Equal(ev.AppendCanonical(nil), canon) || ev.ComputeHash() == h {
				t.Fatalf("fields %d and %d split differently encode alike", i, i+1)
			}
			*a, *b = oldA, oldB
		}
	})
}

// stringFields points at the event's string fields in canonical order.
func stringFields(ev *notary.Event) []*string {
	kind, actorKind := (*string)(&ev.RecordKind), (*string)(&ev.Actor.Kind)
	return []*string{kind, &ev.Trigger, &ev.From, &ev.To, actorKind, &ev.Actor.ID, &ev.Actor.Name, &ev.Reason, &ev.PrevHash}
}

type canonical struct {
	version                       string
	id, record, office            uuid.UUID
	kind                          string
	seq                           int64
	trigger, from, to             string
	actorKind, actorID, actorName string
	reason                        string
	at                            int64
	prev                          string
}

func canonicalFields(ev notary.Event) canonical {
	return canonical{"notarykit/audit/v1", ev.ID, ev.RecordID, ev.OfficeID, string(ev.RecordKind), ev.Seq,
		ev.Trigger, ev.From, ev.To, string(ev.Actor.Kind), ev.Actor.ID, ev.Actor.Name, ev.Reason,
		ev.At.UTC().Truncate(time.Microsecond).UnixMicro(), ev.PrevHash}
}

// decodeCanonical parses the canonical encoding independently of the
// encoder; it fails on trailing bytes.
func decodeCanonical(b []byte) (canonical, bool) {
	ok := true
	str := func() string {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			ok = false
			return ""
		}
		s := string(b[k : k+int(n)])
		b = b[k+int(n):]
		return s
	}
	id := func() (u uuid.UUID) {
		if len(b) < 16 {
			ok = false
			return
		}
		copy(u[:], b)
		b = b[16:]
		return
	}
	u64 := func() int64 {
		if len(b) < 8 {
			ok = false
			return 0
		}
		v := binary.BigEndian.Uint64(b)
		b = b[8:]
		return int64(v)
	}
	var c canonical
	c.version = str()
	c.id, c.record = id(), id()
	c.kind = str()
	c.office = id()
	c.seq = u64()
	c.trigger, c.from, c.to = str(), str(), str()
	c.actorKind, c.actorID, c.actorName = str(), str(), str()
	c.reason = str()
	c.at = u64()
	c.prev = str()
	return c, ok && len(b) == 0
}
