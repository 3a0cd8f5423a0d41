// Package recorddoc is the storage format shared by the SQL adapters: the
// JSON document each filing and application keeps in its doc column next to
// the indexed columns, and the document of an outbox notice.
//
// The format has its own snake_case names, so renaming a Go field never
// changes stored data (the nested [notary.FilingContent],
// [notary.Evidence], [notary.Recipient] and [notary.NoticeData] are stored
// under the names of their json tags, which are part of the format). Money
// is a JSON string that keeps the decimal's exponent exactly ("150.00"
// stays "150.00", see [DecimalString]), or null for the zero
// [decimal.Decimal] value; never a float. Times are UTC; zero optional
// times are left out. In filings and applications nil and empty slices stay
// distinct (null and []).
//
// Every transition reads and writes an application document and writes
// notice documents, so those are written and read by hand (see jsonio.go);
// filings, which change far less often, go through encoding/json. The
// tests hold the hand-written codecs to the reflection-based ones they
// replaced.
package recorddoc

import (
	"fmt"
	"time"

	// encoding/json's API and behaviour on the implementation behind
	// encoding/json/v2 (the standard library's under GOEXPERIMENT=jsonv2):
	// it decodes a document in about half the time. Going back to
	// encoding/json is this import alone.
	json "github.com/go-json-experiment/json/v1"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/notary"
)

// DecimalString is the exact text of d, keeping its exponent, so that
// decimal.NewFromString gives back the same coefficient and exponent
// ("150.00" stays "150.00", 15e2 is "15e2").
func DecimalString(d decimal.Decimal) string {
	switch e := d.Exponent(); {
	case e < 0:
		return d.StringFixed(-e)
	case e == 0:
		return d.String()
	default:
		return fmt.Sprintf("%se%d", d.Coefficient().String(), e)
	}
}

// An Option adjusts how EncodeFiling and EncodeApplication write a record.
type Option func(*encoder)

// Precision truncates every stored time to a multiple of d, e.g.
// time.Microsecond to match a PostgreSQL timestamptz column. Without it
// times keep nanoseconds.
func Precision(d time.Duration) Option { return func(e *encoder) { e.precision = d } }

type encoder struct{ precision time.Duration }

func newEncoder(opts []Option) encoder {
	var e encoder
	for _, o := range opts {
		o(&e)
	}
	return e
}

// time normalises t for storage: UTC, truncated to the precision; the zero
// time stays zero.
func (e encoder) time(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	t = t.UTC()
	if e.precision > 0 {
		t = t.Truncate(e.precision)
	}
	return t
}

// utc normalises a decoded time: UTC, the zero time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

type userDoc struct {
	ID     string `json:"id"`
	Email  string `json:"email"`
	Name   string `json:"name"`
	Locale string `json:"locale"`
}

func toUserDoc(u notary.User) userDoc {
	return userDoc{ID: u.ID, Email: u.Email, Name: u.Name, Locale: u.Locale}
}

func (u userDoc) user() notary.User {
	return notary.User{ID: u.ID, Email: u.Email, Name: u.Name, Locale: u.Locale}
}

type filingDoc struct {
	ID               uuid.UUID             `json:"id"`
	OfficeID         uuid.UUID             `json:"office_id"`
	Owner            userDoc               `json:"owner"`
	State            string                `json:"state"`
	Version          int64                 `json:"version"`
	Revision         int                   `json:"revision"`
	Content          notary.FilingContent  `json:"content"`
	Approved         *notary.FilingContent `json:"approved"`
	ApprovedRevision int                   `json:"approved_revision"`
	Reason           string                `json:"reason"`
	AuditHead        string                `json:"audit_head"`
	CreatedAt        time.Time             `json:"created_at"`
	UpdatedAt        time.Time             `json:"updated_at"`
}

// EncodeFiling returns the stored document of f. Times are written in UTC,
// truncated as the options say.
func EncodeFiling(f notary.Filing, opts ...Option) ([]byte, error) {
	e := newEncoder(opts)
	b, err := json.Marshal(filingDoc{
		ID: f.ID, OfficeID: f.OfficeID, Owner: toUserDoc(f.Owner), State: string(f.State), Version: f.Version,
		Revision: f.Revision, Content: f.Content, Approved: f.Approved, ApprovedRevision: f.ApprovedRevision,
		Reason: f.Reason, AuditHead: f.AuditHead, CreatedAt: e.time(f.CreatedAt), UpdatedAt: e.time(f.UpdatedAt),
	})
	if err != nil {
		return nil, fmt.Errorf("recorddoc: encode filing: %w", err)
	}
	return b, nil
}

// DecodeFiling decodes a document written by EncodeFiling. Times come back
// in UTC.
func DecodeFiling(b []byte) (notary.Filing, error) {
	var d filingDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return notary.Filing{}, fmt.Errorf("recorddoc: decode filing: %w", err)
	}
	return notary.Filing{
		ID: d.ID, OfficeID: d.OfficeID, Owner: d.Owner.user(), State: notary.FilingState(d.State), Version: d.Version,
		Revision: d.Revision, Content: d.Content, Approved: d.Approved, ApprovedRevision: d.ApprovedRevision,
		Reason: d.Reason, AuditHead: d.AuditHead, CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt),
	}, nil
}
