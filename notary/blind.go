package notary

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// Blinder computes blind indexes: keyed hashes of personal values, stored
// beside their ciphertexts so that a search ("has this ID number filed
// before?") compares hashes and never needs the plain value in a store.
// Without the key a blind index cannot be computed, so it does not reveal
// the value to a reader of the database the way a plain hash of an ID
// number (a small, structured space) would.
type Blinder interface {
	// Blind returns the keyed hash of value for purpose (a domain
	// separator: equal values of different purposes hash apart).
	Blind(ctx context.Context, purpose string, value []byte) ([]byte, error)
}

// HMACBlinder returns a Blinder computing HMAC-SHA256 under key (at least
// 32 bytes, from the host's KMS or secret store). Keep the key stable:
// under another key the indexes stored earlier no longer match, until
// their records are sealed again (Filings.Reseal recomputes the indexes
// of the records it moves).
func HMACBlinder(key []byte) Blinder { return hmacBlinder{key: append([]byte(nil), key...)} }

type hmacBlinder struct{ key []byte }

func (b hmacBlinder) Blind(_ context.Context, purpose string, value []byte) ([]byte, error) {
	if len(b.key) < 32 {
		return nil, fmt.Errorf("notary: blind index key of %d bytes; at least 32 required", len(b.key))
	}
	m := hmac.New(sha256.New, b.key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write(value)
	return m.Sum(nil), nil
}

// devBlindKey keys the blind indexes of a Service without Config.Blinder:
// public, like InsecureDevSealer's key.
var devBlindKey = sha256.Sum256([]byte("notarykit insecure development blind index: never in production"))

// idLookup returns the blind index of an identity document: its type and
// normalized number.
func (s *Service) idLookup(ctx context.Context, t IDType, number string) (string, error) {
	sum, err := s.blinder.Blind(ctx, "notarykit/id-number/v1", []byte(string(t)+"\x00"+strings.ToUpper(strings.TrimSpace(number))))
	if err != nil {
		return "", fmt.Errorf("notary: blind index: %w", err)
	}
	return base64.RawStdEncoding.EncodeToString(sum), nil
}

// indexPersons sets the blind index of every person in plain content c.
func (s *Service) indexPersons(ctx context.Context, c *FilingContent) error {
	persons := []*Person{&c.LegalRep}
	if c.Agent != nil {
		persons = append(persons, &c.Agent.Person)
	}
	for _, p := range persons {
		if p.IDNumber == "" || p.IDNumber == Erased || IsSealed(p.IDNumber) {
			continue
		}
		l, err := s.idLookup(ctx, p.IDType, p.IDNumber)
		if err != nil {
			return err
		}
		p.IDLookup = l
	}
	return nil
}

// clearLookups empties the blind indexes of a content a read returns.
func clearLookups(c *FilingContent) {
	c.LegalRep.IDLookup = ""
	if c.Agent != nil {
		c.Agent.Person.IDLookup = ""
	}
}

// ByIDNumber lists the office's filings (masked, oldest first) that name
// the identity document — as the legal representative or the agent, in
// the revision under review or the one in force — by its blind index:
// nothing is opened and the number reaches no store. For an admin of the
// office. Errors: ErrUnauthenticated, ErrForbidden, ErrInvalidInput (an
// unknown ID type or an empty number).
func (f *Filings) ByIDNumber(ctx context.Context, admin Admin, idType IDType, number string) ([]Filing, error) {
	s := f.s
	if err := s.checkAdmin(ctx, admin); err != nil {
		return nil, err
	}
	switch idType {
	case IDResident, IDPassport, IDHKMO, IDTaiwan:
	default:
		return nil, invalid("id_type", "unknown identity document type %q", idType)
	}
	if strings.TrimSpace(number) == "" {
		return nil, invalid("id_number", "required")
	}
	want, err := s.idLookup(ctx, idType, number)
	if err != nil {
		return nil, err
	}
	names := func(c *FilingContent) bool {
		return c != nil && (hmac.Equal([]byte(c.LegalRep.IDLookup), []byte(want)) ||
			(c.Agent != nil && hmac.Equal([]byte(c.Agent.Person.IDLookup), []byte(want))))
	}
	var out []Filing
	var after *Cursor
	for {
		page, err := s.store.ListFilings(ctx, ListQuery{OfficeID: s.office.ID, After: after, Limit: DefaultLimit})
		if err != nil {
			return nil, err
		}
		for _, rec := range page {
			if names(&rec.Content) || names(rec.Approved) {
				out = append(out, s.masked(ctx, rec))
			}
		}
		if len(page) < DefaultLimit {
			return out, nil
		}
		last := page[len(page)-1]
		after = &Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
}
