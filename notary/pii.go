package notary

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Sealer seals the personal information of natural persons named in a
// filing (see PersonalFields) before any Store sees it, and opens it when
// an authorized caller reads it: an AEAD whose keys the host holds. The
// associated data binds each ciphertext to its record and field, so a
// value copied into another record or field does not open.
//
// Config.Sealer plugs one in; adapters/tink implements it with Google Tink
// keysets (key rotation included). A host in production must configure
// one: New refuses a nil Sealer unless Config.InsecureDevKeys opts into
// InsecureDevSealer, whose key is public.
type Sealer interface {
	// Seal encrypts plaintext bound to associatedData.
	Seal(ctx context.Context, plaintext, associatedData []byte) ([]byte, error)
	// Open decrypts a ciphertext made by Seal with the same associated
	// data; any other ciphertext or associated data is an error.
	Open(ctx context.Context, ciphertext, associatedData []byte) ([]byte, error)
}

// KeyRotator is an optional capability of a Sealer that rotates keys: it
// reports whether a ciphertext was sealed under the current primary key.
// Filings.Reseal uses it to move only the records still sealed under an
// older key; with a Sealer without it, Reseal seals every record again.
type KeyRotator interface {
	Current(ciphertext []byte) bool
}

// ErrUnsealable: a sealed personal field cannot be opened (its key is
// gone, the ciphertext was altered or moved to another record or field).
var ErrUnsealable = errors.New("notary: sealed personal data cannot be opened")

// PersonalField names a field of a filing that holds personal information
// of a natural person. Every such field is sealed at rest, masked in every
// read, and shown in full only through Filings.Reveal.
type PersonalField string

// The personal fields of a filing.
const (
	FieldLegalRepName     PersonalField = "legal_rep.name"
	FieldLegalRepIDNumber PersonalField = "legal_rep.id_number"
	FieldContactPhone     PersonalField = "contact_phone"
	FieldAgentName        PersonalField = "agent.person.name"
	FieldAgentIDNumber    PersonalField = "agent.person.id_number"
)

// personalField is one row of the table of personal fields: where the
// value lives in a filing's content and how it is masked.
type personalField struct {
	name PersonalField
	at   func(*FilingContent) *string // nil when the content has no such field (no agent)
	mask func(string) string
}

// personalFields is the rule: which fields are personal, and their masks.
var personalFields = []personalField{
	{FieldLegalRepName, func(c *FilingContent) *string { return &c.LegalRep.Name }, MaskName},
	{FieldLegalRepIDNumber, func(c *FilingContent) *string { return &c.LegalRep.IDNumber }, MaskIDNumber},
	{FieldContactPhone, func(c *FilingContent) *string { return &c.ContactPhone }, MaskPhone},
	{FieldAgentName, func(c *FilingContent) *string {
		if c.Agent == nil {
			return nil
		}
		return &c.Agent.Person.Name
	}, MaskName},
	{FieldAgentIDNumber, func(c *FilingContent) *string {
		if c.Agent == nil {
			return nil
		}
		return &c.Agent.Person.IDNumber
	}, MaskIDNumber},
}

// PersonalFields lists the personal fields of a filing.
func PersonalFields() []PersonalField {
	out := make([]PersonalField, len(personalFields))
	for i, f := range personalFields {
		out[i] = f.name
	}
	return out
}

// sealedPrefix marks a stored value as sealed; what follows is the
// base64 of the Sealer's ciphertext. A stored value without it is a
// record written before sealing (Reseal seals it) or an erased one.
const sealedPrefix = "sealed:v1:"

// Erased is what an erased personal field holds (see Filings.Erase).
const Erased = "[erased]"

// unreadable is what a masked view shows for a value that does not open.
const unreadable = "[unreadable]"

// IsSealed reports whether a stored value is a sealed personal field.
func IsSealed(v string) bool { return strings.HasPrefix(v, sealedPrefix) }

// associatedData binds a sealed value to its record and field.
func associatedData(kind RecordKind, id uuid.UUID, field PersonalField) []byte {
	b := make([]byte, 0, 64)
	b = append(b, "notarykit/pii/v1\x00"...)
	b = append(b, kind...)
	b = append(b, 0)
	b = append(b, id[:]...)
	b = append(b, 0)
	return append(b, field...)
}

// cloneContent copies c deeply enough that changing its personal fields
// leaves the original (and the caller's input) untouched.
func cloneContent(c FilingContent) FilingContent {
	if c.Agent != nil {
		a := *c.Agent
		c.Agent = &a
	}
	return c
}

// sealContent seals every personal field of c, bound to filing id.
func (s *Service) sealContent(ctx context.Context, id uuid.UUID, c FilingContent) (FilingContent, error) {
	c = cloneContent(c)
	if err := s.indexPersons(ctx, &c); err != nil {
		return c, err
	}
	for _, f := range personalFields {
		p := f.at(&c)
		if p == nil || *p == "" || *p == Erased || IsSealed(*p) {
			continue
		}
		ct, err := s.sealer.Seal(ctx, []byte(*p), associatedData(KindFiling, id, f.name))
		if err != nil {
			return c, fmt.Errorf("notary: seal %s: %w", f.name, err)
		}
		*p = sealedPrefix + base64.RawStdEncoding.EncodeToString(ct)
	}
	return c, nil
}

// openValue opens one stored value of field of filing id. A value that is
// not sealed (written before sealing, or erased) is returned as stored.
func (s *Service) openValue(ctx context.Context, id uuid.UUID, field PersonalField, v string) (string, error) {
	if !IsSealed(v) {
		return v, nil
	}
	ct, err := base64.RawStdEncoding.DecodeString(v[len(sealedPrefix):])
	if err != nil {
		return "", fmt.Errorf("%w: %s of filing %s is not base64", ErrUnsealable, field, id)
	}
	pt, err := s.sealer.Open(ctx, ct, associatedData(KindFiling, id, field))
	if err != nil {
		return "", fmt.Errorf("%w: %s of filing %s: %v", ErrUnsealable, field, id, err)
	}
	return string(pt), nil
}

// viewContent opens the personal fields of c (a filing's stored content)
// and masks every one full does not name. With strict, a field that does
// not open is an error; otherwise it shows as "[unreadable]" and is
// logged (by record and field, never by value), so one bad record does not
// break a queue.
func (s *Service) viewContent(ctx context.Context, id uuid.UUID, c FilingContent, full []PersonalField, strict bool) (FilingContent, error) {
	c = cloneContent(c)
	clearLookups(&c)
	for _, f := range personalFields {
		p := f.at(&c)
		if p == nil || *p == "" || *p == Erased {
			continue
		}
		v, err := s.openValue(ctx, id, f.name, *p)
		switch {
		case err != nil && strict:
			return c, err
		case err != nil:
			s.log.WarnContext(ctx, "notary: a sealed personal field does not open", "filing", id, "field", string(f.name), "err", err)
			*p = unreadable
		case slices.Contains(full, f.name):
			*p = v
		default:
			*p = f.mask(v)
		}
	}
	return c, nil
}

// view returns rec as a read shows it: every personal field opened and
// masked, except those in full, shown in full.
func (s *Service) view(ctx context.Context, rec Filing, full []PersonalField, strict bool) (Filing, error) {
	var err error
	if rec.Content, err = s.viewContent(ctx, rec.ID, rec.Content, full, strict); err != nil {
		return Filing{}, err
	}
	if rec.Approved != nil {
		a, err := s.viewContent(ctx, rec.ID, *rec.Approved, full, strict)
		if err != nil {
			return Filing{}, err
		}
		rec.Approved = &a
	}
	return rec, nil
}

// masked is view with every personal field masked, for every read but
// Reveal.
func (s *Service) masked(ctx context.Context, rec Filing) Filing {
	out, _ := s.view(ctx, rec, nil, false) // not strict: never fails
	return out
}

// maskedErr returns a function that passes a filing read's error through
// and masks its result: s.maskedErr(ctx)(read()).
func (s *Service) maskedErr(ctx context.Context) func(Filing, error) (Filing, error) {
	return func(rec Filing, err error) (Filing, error) {
		if err != nil {
			return Filing{}, err
		}
		return s.masked(ctx, rec), nil
	}
}

// TriggerReveal is the audit trigger of a full view of personal fields:
// the event's From and To are the record's state, and its Reason lists the
// fields shown (by name, never by value).
const TriggerReveal = "reveal"

// revealParties is the rule of who may see a filing's personal fields in
// full: its owner at any time; an admin of the office while the lifecycle
// gives the office a decision on the filing (a reviewer deciding it).
var revealParties = map[Party]func(ctx context.Context, state FilingState) bool{
	PartyOwner: func(context.Context, FilingState) bool { return true },
	PartyAdmin: func(ctx context.Context, state FilingState) bool {
		return len(FilingLifecycle.Permitted(ctx, state, PartyAdmin)) > 0
	},
}

// Reveal returns a filing with the named personal fields in full (every
// personal field when none is named; the others masked as in Get) to its
// owner, or to an admin of the office while the filing waits for the
// office's decision. Every reveal is recorded on the filing's audit trail
// (who, when, which fields) with its own event, so the filing's Version
// moves on: a reviewer decides on the Version Reveal returns. Errors:
// ErrNotFound, ErrForbidden (a stranger, or an admin when no decision is
// due), ErrUnauthenticated, ErrInvalidInput (an unknown field),
// ErrUnsealable, ErrConflict (the filing changed meanwhile; read again).
func (f *Filings) Reveal(ctx context.Context, actor Principal, id uuid.UUID, fields ...PersonalField) (Filing, error) {
	return f.reveal(ctx, actor, id, TriggerReveal, "viewed in full: ", fields)
}

// reveal is Reveal audited with trigger and a reason that starts with
// why and lists the fields.
func (f *Filings) reveal(ctx context.Context, actor Principal, id uuid.UUID, trigger, why string, fields []PersonalField) (Filing, error) {
	s := f.s
	if len(fields) == 0 {
		fields = PersonalFields()
	}
	for i, name := range fields {
		if !slices.ContainsFunc(personalFields, func(p personalField) bool { return p.name == name }) {
			return Filing{}, invalid(fmt.Sprintf("fields[%d]", i), "%q is not a personal field", name)
		}
	}
	rec, actor, err := load(ctx, s, actor, id, s.store.Filing, ReviewReader.FilingForReview)
	if err != nil {
		return Filing{}, err
	}
	party, who, err := s.party(ctx, actor, rec.OfficeID, rec.Owner.ID)
	if err != nil {
		return Filing{}, err
	}
	if may := revealParties[party]; may == nil || !may(ctx, rec.State) {
		return Filing{}, wrap(ErrForbidden, "%s may not see the personal data of filing %s in state %s", party, id, rec.State)
	}
	out, err := s.view(ctx, rec, fields, true)
	if err != nil {
		return Filing{}, err
	}
	names := make([]string, len(fields))
	for i, n := range fields {
		names[i] = string(n)
	}
	next := rec
	next.Version = rec.Version + 1
	ev := s.event(step{kind: KindFiling, recordID: rec.ID, version: rec.Version, head: rec.AuditHead,
		from: string(rec.State), to: string(rec.State), trigger: trigger, actor: who,
		reason: why + strings.Join(names, ", "), at: s.now()})
	next.AuditHead = ev.Hash
	if err := s.store.Commit(ctx, Change{Filing: &next, ExpectedVersion: rec.Version, Events: []Event{ev}}); err != nil {
		return Filing{}, err
	}
	out.Version, out.AuditHead = next.Version, next.AuditHead
	return out, nil
}

// MaskIDNumber masks an identity-document number: the first four and last
// four characters of a long number stay (4403**********1234), the first
// and last of a short one.
func MaskIDNumber(v string) string {
	r := []rune(v)
	switch n := len(r); {
	case n >= 12:
		return string(r[:4]) + strings.Repeat("*", n-8) + string(r[n-4:])
	case n >= 3:
		return string(r[:1]) + strings.Repeat("*", n-2) + string(r[n-1:])
	default:
		return strings.Repeat("*", n)
	}
}

// MaskName masks a person's name: the first character stays (张*,
// 欧阳**, J*******).
func MaskName(v string) string {
	n := utf8.RuneCountInString(v)
	if n <= 1 {
		return strings.Repeat("*", n)
	}
	first, _ := utf8.DecodeRuneInString(v)
	return string(first) + strings.Repeat("*", n-1)
}

// MaskPhone masks a phone number: a mobile number keeps its first three
// and last four digits (138****5678); another keeps its last four.
func MaskPhone(v string) string {
	r := []rune(v)
	switch n := len(r); {
	case n >= 11:
		return string(r[:3]) + strings.Repeat("*", n-7) + string(r[n-4:])
	case n > 4:
		return strings.Repeat("*", n-4) + string(r[n-4:])
	default:
		return strings.Repeat("*", n)
	}
}

// devKey is the InsecureDevSealer's key: derived from a public string, so
// anyone can open what it seals.
var devKey = sha256.Sum256([]byte("notarykit insecure development sealer: never in production"))

// InsecureDevSealer returns the Sealer a Service uses when Config.Sealer is
// nil and Config.InsecureDevKeys is set: AES-256-GCM under a key that is public (it is in this source). It
// keeps personal data out of plain sight in a development database and
// exercises the sealing code paths, and protects nothing. Production must
// configure a real Sealer (adapters/tink with a keyset from a KMS).
func InsecureDevSealer() Sealer {
	block, err := aes.NewCipher(devKey[:])
	if err != nil {
		panic(err) // a 32-byte key never fails
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return devSealer{gcm}
}

type devSealer struct{ aead cipher.AEAD }

func (d devSealer) Seal(_ context.Context, plaintext, ad []byte) ([]byte, error) {
	nonce := make([]byte, d.aead.NonceSize(), d.aead.NonceSize()+len(plaintext)+d.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return d.aead.Seal(nonce, nonce, plaintext, ad), nil
}

func (d devSealer) Open(_ context.Context, ct, ad []byte) ([]byte, error) {
	n := d.aead.NonceSize()
	if len(ct) < n {
		return nil, errors.New("ciphertext too short")
	}
	return d.aead.Open(nil, ct[:n], ct[n:], ad)
}

// TriggerReseal is the audit trigger of Filings.Reseal's change of a
// filing: its personal fields sealed again under the current key.
const TriggerReseal = "reseal"

// ResealReport says what one Filings.Reseal run did.
type ResealReport struct {
	Checked  int // filings looked at
	Resealed int // filings sealed again under the current key
	Skipped  int // filings that changed meanwhile; the next run takes them
}

// Reseal walks every filing of the office and seals its personal fields
// (in every revision kept, too) again under the Sealer's current key where any was sealed under an
// older one (as KeyRotator tells; a Sealer without it has every filing
// sealed again) or stored before sealing existed. Each filing moved is
// one commit with a system audit event (TriggerReseal). Run it after a
// key rotation until Resealed and Skipped are 0; then the old key can be
// retired. batch is the page size of the walk (<= 0 means DefaultLimit).
// A field that does not open stops the run with ErrUnsealable.
func (f *Filings) Reseal(ctx context.Context, batch int) (ResealReport, error) {
	s := f.s
	var rep ResealReport
	var after *Cursor
	for {
		page, err := s.store.ListFilings(ctx, ListQuery{OfficeID: s.office.ID, After: after, Limit: batch})
		if err != nil {
			return rep, err
		}
		for _, rec := range page {
			rep.Checked++
			if stale, err := s.stale(ctx, rec); err != nil && !errors.Is(err, ErrNotFound) {
				return rep, err
			} else if !stale {
				continue
			}
			err := s.reseal(ctx, rec)
			switch {
			case errors.Is(err, ErrConflict):
				rep.Skipped++
			case err != nil:
				return rep, err
			default:
				rep.Resealed++
			}
		}
		if q := (ListQuery{Limit: batch}); len(page) == 0 || len(page) < q.PageSize() {
			return rep, nil
		}
		last := page[len(page)-1]
		after = &Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
}

// stale reports whether a stored filing has a personal field that is not
// sealed under the current key, in its content, the revision in force or
// any revision kept.
func (s *Service) stale(ctx context.Context, rec Filing) (bool, error) {
	contents := []*FilingContent{&rec.Content}
	if rec.Approved != nil {
		contents = append(contents, rec.Approved)
	}
	if slices.ContainsFunc(contents, s.staleContent) {
		return true, nil
	}
	revs, err := s.store.FilingRevisions(ctx, rec.ID)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(revs, func(r FilingRevision) bool { return s.staleContent(&r.Content) }), nil
}

// staleContent reports whether c has a personal field that is not sealed
// under the current key.
func (s *Service) staleContent(c *FilingContent) bool {
	rot, _ := s.sealer.(KeyRotator)
	for _, pf := range personalFields {
		p := pf.at(c)
		if p == nil || *p == "" || *p == Erased {
			continue
		}
		if !IsSealed(*p) || rot == nil {
			return true
		}
		ct, err := base64.RawStdEncoding.DecodeString((*p)[len(sealedPrefix):])
		if err != nil || !rot.Current(ct) {
			return true
		}
	}
	return false
}

// reseal opens every personal field of rec and seals it again, in one
// audited commit.
func (s *Service) reseal(ctx context.Context, rec Filing) error {
	all := PersonalFields()
	plain, err := s.view(ctx, rec, all, true)
	if err != nil {
		return err
	}
	next := rec
	if next.Content, err = s.sealContent(ctx, rec.ID, plain.Content); err != nil {
		return err
	}
	if plain.Approved != nil {
		a, err := s.sealContent(ctx, rec.ID, *plain.Approved)
		if err != nil {
			return err
		}
		next.Approved = &a
	}
	revs, err := s.revisionsToRewrite(ctx, rec, func(c FilingContent) (FilingContent, error) {
		plain, err := s.viewContent(ctx, rec.ID, c, all, true)
		if err != nil {
			return c, err
		}
		return s.sealContent(ctx, rec.ID, plain)
	})
	if err != nil {
		return err
	}
	next.Version = rec.Version + 1
	ev := s.event(step{kind: KindFiling, recordID: rec.ID, version: rec.Version, head: rec.AuditHead,
		from: string(rec.State), to: string(rec.State), trigger: TriggerReseal, actor: systemActor("reseal"),
		reason: "personal data sealed under the current key", at: s.now()})
	next.AuditHead = ev.Hash
	return s.store.Commit(ctx, Change{Filing: &next, ExpectedVersion: rec.Version, Events: []Event{ev}, Rewrites: revs})
}
