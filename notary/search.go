package notary

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// ReviewIndex is the optional Store port behind the review console's
// overview and search: counts of a queue and lookups by one indexed key.
// The stores of this module implement it (memory, SQLite, PostgreSQL);
// Reviews.Waiting and Reviews.Search return ErrUnsupported-wrapping errors
// on a store that does not. Every query is bounded by an index: a count
// reads one queue's index range, a lookup one key's.
type ReviewIndex interface {
	// CountFilings counts the office's filings in state.
	CountFilings(ctx context.Context, officeID uuid.UUID, state FilingState) (int, error)
	// CountApplications counts the office's applications in state.
	CountApplications(ctx context.Context, officeID uuid.UUID, state ApplicationState) (int, error)
	// FindFilings returns the office's filings matching q, newest first.
	FindFilings(ctx context.Context, q FindQuery) ([]Filing, error)
	// FindApplications returns the office's applications matching q,
	// newest first.
	FindApplications(ctx context.Context, q FindQuery) ([]Application, error)
}

// FindQuery is one lookup of ReviewIndex: exactly one key is set.
type FindQuery struct {
	OfficeID uuid.UUID
	// ID is the record's whole ID.
	ID uuid.UUID
	// IDSuffix is the last characters of the record's ID as written
	// canonically (lower-case hex, with the hyphens), MinIDSuffixLen to 36
	// of them.
	IDSuffix string
	// Enterprise matches filings whose latest content's enterprise name
	// contains it, when it has at least MinEnterpriseSubstring characters
	// (a trigram index serves it), or starts with it, when it is shorter
	// (FindFilings only).
	Enterprise string
	// CreditCode matches filings whose latest content has this unified
	// social credit code (FindFilings only).
	CreditCode string
	// FilingID matches the applications made under this filing
	// (FindApplications only).
	FilingID uuid.UUID
	// TrackingNumber matches applications whose paper materials or
	// certificate travel under it (FindApplications only).
	TrackingNumber string
	// CertificateNumber matches the application with this certificate
	// number (FindApplications only).
	CertificateNumber string
	// Limit bounds the result (1 to MaxFindLimit).
	Limit int
}

// MinIDSuffixLen is the shortest FindQuery.IDSuffix: enough characters
// of a random UUID's tail to tell records apart.
const MinIDSuffixLen = 6

// MinEnterpriseSubstring is the shortest FindQuery.Enterprise matched
// anywhere in a name (a trigram); shorter text matches its start.
const MinEnterpriseSubstring = 3

// MaxFindLimit is the largest FindQuery.Limit.
const MaxFindLimit = 100

// Validate checks the query: an office, a limit, exactly one key.
func (q FindQuery) Validate() error {
	if q.OfficeID == uuid.Nil {
		return invalid("office_id", "required")
	}
	if q.Limit < 1 || q.Limit > MaxFindLimit {
		return invalid("limit", "must be between 1 and %d", MaxFindLimit)
	}
	n := 0
	for _, set := range []bool{q.ID != uuid.Nil, q.IDSuffix != "", q.Enterprise != "", q.CreditCode != "",
		q.FilingID != uuid.Nil, q.TrackingNumber != "", q.CertificateNumber != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return invalid("query", "exactly one key must be set, got %d", n)
	}
	if q.IDSuffix != "" && !IsIDSuffix(q.IDSuffix) {
		return invalid("id_suffix", "must be the last %d to 36 characters of an ID, lower case", MinIDSuffixLen)
	}
	return nil
}

// Matches reports whether a record with these keys matches q; the memory
// store filters with it, and it states what the SQL stores' indexes do.
func (q FindQuery) Matches(id uuid.UUID, enterprise, creditCode string, filingID uuid.UUID, tracking []string, certificate string) bool {
	switch {
	case q.ID != uuid.Nil:
		return id == q.ID
	case q.IDSuffix != "":
		return strings.HasSuffix(id.String(), q.IDSuffix)
	case q.Enterprise != "":
		if utf8.RuneCountInString(q.Enterprise) >= MinEnterpriseSubstring {
			return strings.Contains(enterprise, q.Enterprise)
		}
		return enterprise != "" && strings.HasPrefix(enterprise, q.Enterprise)
	case q.CreditCode != "":
		return creditCode == q.CreditCode
	case q.FilingID != uuid.Nil:
		return filingID == q.FilingID
	case q.TrackingNumber != "":
		return slices.Contains(tracking, q.TrackingNumber)
	case q.CertificateNumber != "":
		return certificate == q.CertificateNumber
	}
	return false
}

// idSuffixRE matches the tail of a canonical UUID (8-4-4-4-12) of at least
// MinIDSuffixLen characters; IsIDSuffix checks the length.
var idSuffixRE = regexp.MustCompile(`^(?:(?:(?:(?:[0-9a-f]{0,8}-)?[0-9a-f]{4}-|[0-9a-f]{0,4}-)[0-9a-f]{4}-|[0-9a-f]{0,4}-)[0-9a-f]{4}-|[0-9a-f]{0,4}-)?[0-9a-f]{0,12}$`)

// IsIDSuffix reports whether s (lower case) can be the last characters of
// a canonical UUID, at least MinIDSuffixLen of them.
func IsIDSuffix(s string) bool {
	return len(s) >= MinIDSuffixLen && len(s) <= 36 && idSuffixRE.MatchString(s)
}

// SearchResult is what Reviews.Search found, newest first.
type SearchResult struct {
	Filings      []Filing
	Applications []Application
}

// MaxSearchLen bounds the text of a search.
const MaxSearchLen = 100

// errNoIndex reports a store without the ReviewIndex port.
var errNoIndex = errors.New("notary: the store does not implement notary.ReviewIndex")

func (s *Service) reviewIndex() (ReviewIndex, error) {
	ix, ok := s.store.(ReviewIndex)
	if !ok {
		return nil, errNoIndex
	}
	return ix, nil
}

// Waiting counts the office's records in each review queue: filings
// pending review, and applications pending the preliminary or final
// review or waiting to be shipped. Errors: ErrForbidden,
// ErrUnauthenticated, and a plain error on a store without ReviewIndex.
func (r *Reviews) Waiting(ctx context.Context, admin Admin) (map[string]int, error) {
	if err := r.s.checkAdmin(ctx, admin); err != nil {
		return nil, err
	}
	ix, err := r.s.reviewIndex()
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	n, err := ix.CountFilings(ctx, r.s.office.ID, FilingPendingReview)
	if err != nil {
		return nil, err
	}
	out[string(FilingPendingReview)] = n
	for _, st := range []ApplicationState{PendingPreliminaryReview, PendingFinalReview, CertificateInProduction} {
		if out[string(st)], err = ix.CountApplications(ctx, r.s.office.ID, st); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Search finds the office's filings and applications by what a reviewer
// has at hand: a whole record ID or its last characters (at least
// MinIDSuffixLen), a unified social credit code, a part of an enterprise
// name (its start when shorter than MinEnterpriseSubstring), a tracking
// number or a certificate number; names are searched only when no
// identifier matches. A filing found brings its applications. Each
// kind of result holds at most limit records. Errors: ErrInvalidInput
// (empty or too long text), ErrForbidden, ErrUnauthenticated.
func (r *Reviews) Search(ctx context.Context, admin Admin, text string, limit int) (SearchResult, error) {
	if err := r.s.checkAdmin(ctx, admin); err != nil {
		return SearchResult{}, err
	}
	text = strings.TrimSpace(text)
	if err := CheckText(text, 1, MaxSearchLen); err != nil {
		return SearchResult{}, invalid("q", "%v", err)
	}
	limit = min(max(limit, 1), MaxFindLimit)
	ix, err := r.s.reviewIndex()
	if err != nil {
		return SearchResult{}, err
	}
	office := r.s.office.ID
	var res SearchResult
	addF := func(q FindQuery) error {
		q.OfficeID, q.Limit = office, limit
		list, err := ix.FindFilings(ctx, q)
		for _, f := range list {
			if len(res.Filings) < limit && !slices.ContainsFunc(res.Filings, func(x Filing) bool { return x.ID == f.ID }) {
				res.Filings = append(res.Filings, f)
			}
		}
		return err
	}
	addA := func(q FindQuery) error {
		q.OfficeID, q.Limit = office, limit
		list, err := ix.FindApplications(ctx, q)
		for _, a := range list {
			if len(res.Applications) < limit && !slices.ContainsFunc(res.Applications, func(x Application) bool { return x.ID == a.ID }) {
				res.Applications = append(res.Applications, a)
			}
		}
		return err
	}
	var queries []func() error
	upper := strings.ToUpper(text)
	if id, err := uuid.Parse(text); err == nil && len(text) == 36 {
		queries = append(queries, func() error { return addF(FindQuery{ID: id}) }, func() error { return addA(FindQuery{ID: id}) })
	}
	if sfx := strings.ToLower(text); IsIDSuffix(sfx) && len(text) < 36 {
		queries = append(queries, func() error { return addF(FindQuery{IDSuffix: sfx}) }, func() error { return addA(FindQuery{IDSuffix: sfx}) })
	}
	if CheckCreditCode(upper) == nil {
		queries = append(queries, func() error { return addF(FindQuery{CreditCode: upper}) })
	}
	if trackingRE.MatchString(upper) {
		queries = append(queries, func() error { return addA(FindQuery{TrackingNumber: upper}) })
	}
	if utf8.RuneCountInString(text) <= 64 {
		queries = append(queries, func() error { return addA(FindQuery{CertificateNumber: text}) })
	}
	for _, q := range queries {
		if err := q(); err != nil {
			return SearchResult{}, err
		}
	}
	// Names are searched when no identifier matched: an ID, code or
	// number found is what the reviewer typed, and a name search for it
	// reads index entries that grow with the office's history.
	if len(res.Filings) == 0 && len(res.Applications) == 0 {
		if err := addF(FindQuery{Enterprise: text}); err != nil {
			return SearchResult{}, err
		}
	}
	// A filing found brings its applications.
	for _, f := range res.Filings {
		if len(res.Applications) >= limit {
			break
		}
		if err := addA(FindQuery{FilingID: f.ID}); err != nil {
			return SearchResult{}, err
		}
	}
	for i := range res.Filings {
		res.Filings[i] = r.s.masked(ctx, res.Filings[i])
	}
	return res, nil
}

// Ledger lists the office's applications made in [from, to), in every
// state, oldest first, after the cursor: what an export of applications
// and fees reads page by page. A zero to means no upper bound. Errors:
// ErrInvalidInput (to before from), ErrForbidden, ErrUnauthenticated.
func (r *Reviews) Ledger(ctx context.Context, admin Admin, from, to time.Time, after *Cursor, limit int) ([]Application, error) {
	if err := r.s.checkAdmin(ctx, admin); err != nil {
		return nil, err
	}
	if !to.IsZero() && to.Before(from) {
		return nil, invalid("to", "before from")
	}
	if after == nil && !from.IsZero() {
		// Just before from: created_at >= from, whatever the ID.
		after = &Cursor{CreatedAt: from.Add(-time.Microsecond), ID: uuid.Max}
	}
	return r.s.store.ListApplications(ctx, ListQuery{OfficeID: r.s.office.ID, CreatedBefore: to, After: after, Limit: limit})
}
