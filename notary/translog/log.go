package translog

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/notarykit/notarykit/notary"
)

// DefaultBatch is how many events a sequencing batch takes when
// Config.Batch is zero.
const DefaultBatch = 1000

// Config wires a Log to a Service.
type Config struct {
	// Service is the office's service: it names the office, authorizes
	// bundle reads as it authorizes audit reads, and its clock stamps
	// checkpoints.
	Service *notary.Service
	// Store is the store the Service uses.
	Store notary.Store
	// Keys are the office's Ed25519 signing keys: every checkpoint is
	// signed by each. One key normally; two while rotating (see the
	// package documentation). Required.
	Keys []ed25519.PrivateKey
	// Origin names the log in its checkpoints and is its keys' name, e.g.
	// "notary.example.com/log": no spaces and no '+'. Empty means
	// "notarykit/" followed by the office ID.
	Origin string
	// Batch is how many events a sequencing batch takes at most; zero
	// means DefaultBatch.
	Batch int
	// CheckpointEvery is how often Run signs a checkpoint when the log
	// has grown: at most once per period of the Service's clock. Zero
	// means one minute. Checkpoint signs one on demand at any time.
	CheckpointEvery time.Duration
	// Witnesses cosign each new checkpoint before it is stored (see
	// Witness). A witness that fails or refuses is logged and skipped: the
	// checkpoint is stored with the cosignatures it got.
	Witnesses []Witness
	// Logger reports Run's failures; nil means slog.Default().
	Logger *slog.Logger
}

// Log is an office's transparency log: it sequences committed audit
// events into the log off the transition path, signs checkpoints, serves
// proofs and bundles, and checks the stored log against the records. It
// is safe for concurrent use, and several processes may run Logs of one
// office on one database: the store lets one sequence at a time.
type Log struct {
	svc     *notary.Service
	store   notary.Store
	office  uuid.UUID
	origin  string
	signers []note.Signer
	vkeys   []string
	keys    note.Verifiers
	batch   int
	every   time.Duration
	wits    []Witness
	log     *slog.Logger
}

// New validates cfg and returns the office's Log.
func New(cfg Config) (*Log, error) {
	switch {
	case cfg.Service == nil:
		return nil, &notary.FieldError{Field: "service", Reason: "required"}
	case cfg.Store == nil:
		return nil, &notary.FieldError{Field: "store", Reason: "required"}
	case len(cfg.Keys) == 0:
		return nil, &notary.FieldError{Field: "keys", Reason: "at least one signing key required"}
	case cfg.Batch < 0:
		return nil, &notary.FieldError{Field: "batch", Reason: "must not be negative"}
	case cfg.CheckpointEvery < 0:
		return nil, &notary.FieldError{Field: "checkpoint_every", Reason: "must not be negative"}
	}
	l := &Log{svc: cfg.Service, store: cfg.Store, office: cfg.Service.Office().ID, origin: cfg.Origin,
		batch: cfg.Batch, every: cfg.CheckpointEvery, wits: cfg.Witnesses, log: cfg.Logger}
	if l.every == 0 {
		l.every = time.Minute
	}
	if l.origin == "" {
		l.origin = "notarykit/" + l.office.String()
	}
	if l.batch == 0 {
		l.batch = DefaultBatch
	}
	if l.log == nil {
		l.log = slog.Default()
	}
	var vs []note.Verifier
	for i, k := range cfg.Keys {
		s, err := NewSigner(l.origin, k)
		if err != nil {
			return nil, &notary.FieldError{Field: fmt.Sprintf("keys[%d]", i), Reason: err.Error()}
		}
		vkey, _ := VerifierKey(l.origin, k.Public().(ed25519.PublicKey)) // NewSigner checked it
		v, _ := note.NewVerifier(vkey)
		l.signers, l.vkeys, vs = append(l.signers, s), append(l.vkeys, vkey), append(vs, v)
	}
	l.keys = note.VerifierList(vs...)
	return l, nil
}

// Origin returns the log's name.
func (l *Log) Origin() string { return l.origin }

// VerifierKeys returns the public verifier keys of the log's signing keys,
// in the order of Config.Keys: what the office publishes so that anyone
// can check its checkpoints and bundles.
func (l *Log) VerifierKeys() []string { return append([]string(nil), l.vkeys...) }

// Sequence integrates one batch of committed, not yet logged audit events
// into the log and returns how many. A failure changes nothing and loses
// nothing: the events stay queued for the next call.
func (l *Log) Sequence(ctx context.Context) (int, error) {
	return l.store.SequenceLog(ctx, l.office, l.batch, Integrate)
}

// SequenceAll sequences batches until the queue is empty, and returns how
// many events it logged.
func (l *Log) SequenceAll(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := l.Sequence(ctx)
		total += n
		if err != nil || n < l.batch {
			return total, err
		}
	}
}

// Run sequences every interval, and signs a checkpoint when the log has
// grown and Config.CheckpointEvery has passed since the latest one, until
// ctx ends; it returns ctx's error. Failures are logged and retried at the
// next tick.
func (l *Log) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		return &notary.FieldError{Field: "interval", Reason: "must be positive"}
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := l.SequenceAll(ctx); err != nil && ctx.Err() == nil {
			l.log.ErrorContext(ctx, "translog: sequencing failed", "office", l.office, "err", err)
		} else if err := l.periodicCheckpoint(ctx); err != nil && ctx.Err() == nil {
			l.log.ErrorContext(ctx, "translog: checkpoint failed", "office", l.office, "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// periodicCheckpoint signs a checkpoint if the log grew since the latest
// one and that one is at least l.every old.
func (l *Log) periodicCheckpoint(ctx context.Context) error {
	latest, err := l.store.Checkpoints(ctx, l.office, 0, 1)
	if err != nil {
		return err
	}
	if len(latest) == 1 && l.svc.Clock().Now().Sub(latest[0].CreatedAt) < l.every {
		return nil
	}
	size, err := l.store.LogSize(ctx, l.office)
	if err != nil || size == 0 || (len(latest) == 1 && latest[0].Size == size) {
		return err
	}
	_, err = l.Checkpoint(ctx)
	return err
}

// reader reads the office log's stored hashes.
func (l *Log) reader(ctx context.Context) tlog.HashReader {
	return tlog.HashReaderFunc(func(ix []int64) ([]tlog.Hash, error) { return l.store.LogHashes(ctx, l.office, ix) })
}

// Checkpoint returns a signed checkpoint of the whole log as sequenced so
// far: the latest stored one when the log has not grown since, else a new
// one, signed with every key and stored. An empty log has no checkpoint
// (ErrNotFound).
func (l *Log) Checkpoint(ctx context.Context) (notary.LogCheckpoint, error) {
	size, err := l.store.LogSize(ctx, l.office)
	if err != nil {
		return notary.LogCheckpoint{}, err
	}
	if size == 0 {
		return notary.LogCheckpoint{}, fmt.Errorf("%w: the log of office %s is empty", notary.ErrNotFound, l.office)
	}
	if c, err := l.store.CheckpointAt(ctx, l.office, size); err == nil {
		return c, nil
	} else if !errors.Is(err, notary.ErrNotFound) {
		return notary.LogCheckpoint{}, err
	}
	root, err := tlog.TreeHash(size, l.reader(ctx))
	if err != nil {
		return notary.LogCheckpoint{}, err
	}
	signed, err := Sign(Checkpoint{Origin: l.origin, Size: size, Root: root}, l.signers...)
	if err != nil {
		return notary.LogCheckpoint{}, err
	}
	signed = l.cosign(ctx, size, signed)
	c := notary.LogCheckpoint{OfficeID: l.office, Size: size, Root: root, Note: signed,
		CreatedAt: l.svc.Clock().Now().UTC().Truncate(time.Microsecond)}
	if err := l.store.AddCheckpoint(ctx, c); err != nil {
		return notary.LogCheckpoint{}, err
	}
	// Another instance may have stored one of this size first: return
	// what is stored.
	return l.store.CheckpointAt(ctx, l.office, size)
}

// cosign has each witness cosign the new checkpoint of size leaves. It
// offers the latest stored checkpoint as the one the witness last
// cosigned, and retries once from the size a witness names instead.
func (l *Log) cosign(ctx context.Context, size int64, signed []byte) []byte {
	if len(l.wits) == 0 {
		return signed
	}
	var old int64
	if latest, err := l.store.Checkpoints(ctx, l.office, 0, 1); err == nil && len(latest) == 1 {
		old = latest[0].Size
	}
	for i, w := range l.wits {
		from := old
		for attempt := 0; ; attempt++ {
			var proof tlog.TreeProof
			var err error
			if from > 0 && from < size {
				proof, err = tlog.ProveTree(size, from, l.reader(ctx))
			}
			var out []byte
			if err == nil {
				out, err = w.Cosign(ctx, from, proof, signed)
			}
			var conflict *WitnessConflictError
			if errors.As(err, &conflict) && attempt == 0 && conflict.Size <= size {
				from = conflict.Size
				continue
			}
			if err != nil {
				level := slog.LevelWarn
				if errors.Is(err, notary.ErrTampered) {
					level = slog.LevelError // the witness saw another history
				}
				l.log.Log(ctx, level, "translog: witness did not cosign", "office", l.office, "witness", i, "size", size, "err", err)
			} else {
				signed = out
			}
			break
		}
	}
	return signed
}

// Checkpoints lists the stored checkpoints, largest first, smaller than
// beforeSize (all when beforeSize <= 0), at most limit (50 when <= 0).
// Checkpoints are public.
func (l *Log) Checkpoints(ctx context.Context, beforeSize int64, limit int) ([]notary.LogCheckpoint, error) {
	return l.store.Checkpoints(ctx, l.office, beforeSize, limit)
}

// checkSizes checks 0 <= lo < hi <= the log's size (lo <= hi when
// allowEqual).
func (l *Log) checkSizes(ctx context.Context, field string, lo, hi int64, allowEqual bool) error {
	size, err := l.store.LogSize(ctx, l.office)
	if err != nil {
		return err
	}
	if lo < 0 || hi > size || lo > hi || (lo == hi && !allowEqual) {
		return &notary.FieldError{Field: field, Reason: fmt.Sprintf("need 0 <= %d < %d <= %d (the log's size)", lo, hi, size)}
	}
	return nil
}

// InclusionProof proves that leaf index is in the tree of size leaves.
// Proofs are public: they are hashes. ErrInvalidInput unless 0 <= index <
// size <= the log's size.
func (l *Log) InclusionProof(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
	if err := l.checkSizes(ctx, "index", index, size, false); err != nil {
		return nil, err
	}
	return tlog.ProveRecord(size, index, l.reader(ctx))
}

// ConsistencyProof proves that the tree of newer leaves extends the tree
// of older leaves. Public. ErrInvalidInput unless 0 < older <= newer <=
// the log's size.
func (l *Log) ConsistencyProof(ctx context.Context, older, newer int64) (tlog.TreeProof, error) {
	if older <= 0 {
		return nil, &notary.FieldError{Field: "older", Reason: "must be positive"}
	}
	if err := l.checkSizes(ctx, "older", older, newer, true); err != nil {
		return nil, err
	}
	return tlog.ProveTree(newer, older, l.reader(ctx))
}

// Series returns up to limit (50 when <= 0) stored checkpoints larger
// than afterSize, oldest first, each with its consistency proof from the
// one before (the first from the checkpoint of afterSize, when afterSize >
// 0): what a customer fetches to check that the log only grew since the
// checkpoint it holds. Public.
func (l *Log) Series(ctx context.Context, afterSize int64, limit int) (Series, error) {
	if limit <= 0 {
		limit = 50
	}
	var cps []notary.LogCheckpoint
	for before := int64(0); ; {
		page, err := l.store.Checkpoints(ctx, l.office, before, 100)
		if err != nil {
			return Series{}, err
		}
		for _, c := range page {
			if c.Size > afterSize {
				cps = append(cps, c)
			}
		}
		if len(page) < 100 || page[len(page)-1].Size <= afterSize {
			break
		}
		before = page[len(page)-1].Size
	}
	// cps is largest first: keep the oldest limit of them, oldest first.
	s := Series{Checkpoints: []SeriesEntry{}}
	prev := afterSize
	for i := len(cps) - 1; i >= 0 && len(s.Checkpoints) < limit; i-- {
		e := SeriesEntry{Checkpoint: string(cps[i].Note)}
		if prev > 0 {
			p, err := tlog.ProveTree(cps[i].Size, prev, l.reader(ctx))
			if err != nil {
				return Series{}, err
			}
			e.Consistency = p
		}
		s.Checkpoints = append(s.Checkpoints, e)
		prev = cps[i].Size
	}
	return s, nil
}

// Bundle returns the verification bundle of a record for actor, who must
// be allowed to read its audit trail (the record's owner or an admin of
// the office; see notary.Audit.Trail): the record, its events with their
// inclusion proofs and a signed checkpoint that covers them. It first
// sequences a batch of what is queued, so normally every event is proven;
// an event still not logged (the sequencer is behind) is in the bundle
// without a proof. Errors: those of
// Audit.Trail (ErrNotFound, ErrForbidden, ErrUnauthenticated), and the
// store's.
func (l *Log) Bundle(ctx context.Context, actor notary.Principal, recordID uuid.UUID) (Bundle, error) {
	if _, err := l.svc.Audit.Trail(ctx, actor, recordID); err != nil {
		return Bundle{}, err // authorization first, before doing any work
	}
	if _, err := l.Sequence(ctx); err != nil {
		return Bundle{}, err
	}
	var (
		rec    BundleRecord
		events []notary.Event
		err    error
	)
	// The record and its trail are read separately: retry when a
	// transition lands in between.
	for range 3 {
		if events, err = l.svc.Audit.Trail(ctx, actor, recordID); err != nil {
			return Bundle{}, err
		}
		if len(events) == 0 {
			return Bundle{}, fmt.Errorf("%w: record %s has no audit events", notary.ErrNotFound, recordID)
		}
		if rec, err = l.record(ctx, events[0]); err != nil {
			return Bundle{}, err
		}
		if rec.AuditHead == events[len(events)-1].Hash {
			break
		}
	}
	leaves, err := l.store.RecordLeaves(ctx, recordID)
	if err != nil {
		return Bundle{}, err
	}
	bySeq := make(map[int64]int64, len(leaves))
	var top int64 = -1
	for _, lf := range leaves {
		bySeq[lf.Seq] = lf.Index
		top = max(top, lf.Index)
	}
	b := Bundle{Format: BundleFormat, Record: rec}
	cp, err := l.Checkpoint(ctx) // covers every leaf read above
	if err != nil && (top >= 0 || !errors.Is(err, notary.ErrNotFound)) {
		return Bundle{}, err
	}
	b.Checkpoint = string(cp.Note) // none while the log is empty
	for _, e := range events {
		var p *LeafProof
		if idx, ok := bySeq[e.Seq]; ok {
			proof, err := tlog.ProveRecord(cp.Size, idx, l.reader(ctx))
			if err != nil {
				return Bundle{}, err
			}
			p = &LeafProof{Index: idx, Proof: proof}
		}
		b.Events = append(b.Events, NewBundleEvent(e, p))
	}
	return b, nil
}

// record reads the bundle record of the record ev belongs to.
func (l *Log) record(ctx context.Context, ev notary.Event) (BundleRecord, error) {
	rec := BundleRecord{ID: ev.RecordID, Kind: ev.RecordKind, OfficeID: ev.OfficeID}
	var (
		data any
		err  error
	)
	switch ev.RecordKind {
	case notary.KindApplication:
		var a notary.Application
		a, err = l.store.Application(ctx, ev.RecordID)
		rec.State, rec.AuditHead, data = string(a.State), a.AuditHead, a
	case notary.KindFiling:
		var f notary.Filing
		f, err = l.store.Filing(ctx, ev.RecordID)
		rec.State, rec.AuditHead, data = string(f.State), f.AuditHead, f
	case notary.KindAdmin:
		// An admin account's bundle carries no account data (it holds a
		// password hash): its events and head say what happened.
		var a notary.AdminAccount
		a, err = l.store.AdminByID(ctx, ev.RecordID)
		rec.AuditHead = a.AuditHead
	default:
		return rec, fmt.Errorf("translog: record %s of unknown kind %q", ev.RecordID, ev.RecordKind)
	}
	if err != nil {
		return rec, err
	}
	if data != nil {
		if rec.Data, err = json.Marshal(data); err != nil {
			return rec, err
		}
	}
	return rec, nil
}

// CheckReport is what Check established.
type CheckReport struct {
	Checkpoint  Checkpoint // the latest stored checkpoint, verified
	Leaves      int64      // leaves checked against the records' events
	Checkpoints int        // stored checkpoints found consistent with it
}

// Check audits the stored log against the office's records and its own
// checkpoints: the latest checkpoint's signature; that the stored log is
// at least as large (ErrTruncated) and has that root (ErrInconsistent);
// that every stored checkpoint is consistent with it (ErrInconsistent,
// ErrFork); that the stored leaves give its root (ErrLeafMismatch: a leaf
// was replaced); and that every leaf up to it is an audit event the store
// still has (ErrRecordDeleted) with the content it had when logged
// (ErrEventEdited). It is the office's (or an auditor's) check with
// database access; customers verify bundles and checkpoints instead. It
// reads the whole log: run it from an operations job, not a request. An
// empty log has nothing to check (ErrNotFound).
func (l *Log) Check(ctx context.Context) (CheckReport, error) {
	latest, err := l.store.Checkpoints(ctx, l.office, 0, 1)
	if err != nil {
		return CheckReport{}, err
	}
	if len(latest) == 0 {
		return CheckReport{}, fmt.Errorf("%w: no checkpoint of office %s", notary.ErrNotFound, l.office)
	}
	cp, err := OpenCheckpoint(latest[0].Note, l.keys)
	if err != nil {
		return CheckReport{}, err
	}
	if cp.Size != latest[0].Size || cp.Root != latest[0].Root || cp.Origin != l.origin {
		return CheckReport{}, fail(ErrInconsistent, -1, cp.Size, "the stored checkpoint's columns differ from its signed note")
	}
	rep := CheckReport{Checkpoint: cp}
	size, err := l.store.LogSize(ctx, l.office)
	if err != nil {
		return rep, err
	}
	if size < cp.Size {
		return rep, fail(ErrTruncated, -1, size, "the stored log is smaller than its checkpoint of size %d", cp.Size)
	}
	r := l.reader(ctx)
	root, err := tlog.TreeHash(cp.Size, r)
	if err != nil {
		return rep, err
	}
	if root != cp.Root {
		return rep, fail(ErrInconsistent, -1, cp.Size, "the stored log's root is not the signed root")
	}
	for before := cp.Size; ; {
		page, err := l.store.Checkpoints(ctx, l.office, before, 100)
		if err != nil {
			return rep, err
		}
		for _, c := range page {
			old, err := OpenCheckpoint(c.Note, l.keys)
			if err != nil {
				return rep, err
			}
			p, err := tlog.ProveTree(cp.Size, old.Size, r)
			if err != nil {
				return rep, err
			}
			if err := CheckConsistency(old, cp, p); err != nil {
				return rep, err
			}
			rep.Checkpoints++
		}
		if len(page) < 100 {
			break
		}
		before = page[len(page)-1].Size
	}

	// The stored leaves must give the signed root: otherwise a leaf was
	// replaced (the upper stored hashes alone may still give it).
	var stack []subtree
	for start := int64(0); start < cp.Size; {
		end := min(cp.Size, start+4096)
		ix := make([]int64, 0, end-start)
		for i := start; i < end; i++ {
			ix = append(ix, tlog.StoredHashIndex(0, i))
		}
		hs, err := r.ReadHashes(ix)
		if err != nil {
			return rep, err
		}
		for _, h := range hs {
			stack = push(stack, h)
		}
		start = end
	}
	if fold(stack) != cp.Root {
		return rep, fail(ErrLeafMismatch, -1, cp.Size, "the stored leaves do not give the signed root: a leaf was replaced")
	}

	events := map[uuid.UUID][]notary.Event{} // a small cache: records come in runs
	for start := int64(0); start < cp.Size; {
		page, err := l.store.LogLeaves(ctx, l.office, start, 500)
		if err != nil {
			return rep, err
		}
		if len(page) == 0 {
			return rep, fail(ErrTruncated, start, cp.Size, "the stored log has no leaf %d", start)
		}
		ix := make([]int64, 0, len(page))
		for _, lf := range page {
			ix = append(ix, tlog.StoredHashIndex(0, lf.Index))
		}
		stored, err := r.ReadHashes(ix)
		if err != nil {
			return rep, err
		}
		for i, lf := range page {
			if lf.Index >= cp.Size {
				break
			}
			evs, ok := events[lf.RecordID]
			if !ok {
				if len(events) > 1000 {
					clear(events)
				}
				if evs, err = l.store.Events(ctx, lf.RecordID); err != nil {
					return rep, err
				}
				events[lf.RecordID] = evs
			}
			if lf.Seq < 1 || lf.Seq > int64(len(evs)) || evs[lf.Seq-1].Seq != lf.Seq {
				return rep, fail(ErrRecordDeleted, lf.Index, cp.Size, "event %d of record %s is gone", lf.Seq, lf.RecordID)
			}
			ev := evs[lf.Seq-1]
			if ev.ComputeHash() != ev.Hash {
				return rep, fail(ErrEventEdited, lf.Index, cp.Size, "event %d of record %s does not match its hash", lf.Seq, lf.RecordID)
			}
			leaf, err := LeafHash(EntryOf(ev))
			if err != nil {
				return rep, err
			}
			if leaf != stored[i] {
				return rep, fail(ErrEventEdited, lf.Index, cp.Size, "event %d of record %s is not the event logged", lf.Seq, lf.RecordID)
			}
			rep.Leaves++
		}
		start = page[len(page)-1].Index + 1
	}
	return rep, nil
}

// subtree is a complete subtree on the stack of a streaming RFC 6962
// root computation.
type subtree struct {
	size int64
	hash tlog.Hash
}

// push adds the next leaf hash, merging equal complete subtrees.
func push(stack []subtree, leaf tlog.Hash) []subtree {
	stack = append(stack, subtree{1, leaf})
	for n := len(stack); n >= 2 && stack[n-2].size == stack[n-1].size; n = len(stack) {
		stack[n-2] = subtree{2 * stack[n-1].size, tlog.NodeHash(stack[n-2].hash, stack[n-1].hash)}
		stack = stack[:n-1]
	}
	return stack
}

// fold returns the root of the leaves pushed: the complete subtrees
// combined from the right.
func fold(stack []subtree) tlog.Hash {
	if len(stack) == 0 {
		return tlog.Hash{}
	}
	h := stack[len(stack)-1].hash
	for i := len(stack) - 2; i >= 0; i-- {
		h = tlog.NodeHash(stack[i].hash, h)
	}
	return h
}

// ParseKey decodes an Ed25519 private key given as its 32-byte seed in
// base64 or hex (how a host keeps it in its configuration).
func ParseKey(s string) (ed25519.PrivateKey, error) {
	s = strings.TrimSpace(s)
	for _, dec := range []func(string) ([]byte, error){decodeHex, decodeBase64} {
		if b, err := dec(s); err == nil && len(b) == ed25519.SeedSize {
			return ed25519.NewKeyFromSeed(b), nil
		}
	}
	return nil, malformed("an Ed25519 key is a 32-byte seed in hex or base64")
}
