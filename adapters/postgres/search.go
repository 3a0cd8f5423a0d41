package postgres

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/adapters/internal/recorddoc"
	"github.com/notarykit/notarykit/notary"
)

var _ notary.ReviewIndex = (*Store)(nil)

// Index expressions of migrations 00008 and 00012: a query must spell them
// the same way for PostgreSQL to use the index.
const (
	exprEnterprise  = `(doc->'content'->>'enterprise_name')`
	exprCreditCode  = `(doc->'content'->>'credit_code')`
	exprIDReverse   = `reverse(id::text) COLLATE "C"`
	exprFiling      = `(doc->>'filing_id')`
	exprMaterials   = `(doc->'materials'->>'tracking_number')`
	exprCertificate = `(doc->'certificate'->>'tracking_number')`
	exprCertNumber  = `(doc->>'certificate_number')`
)

// CountFilings counts the office's filings in state, from the queue index.
func (s *Store) CountFilings(ctx context.Context, officeID uuid.UUID, state notary.FilingState) (int, error) {
	return s.count(ctx, "filings", officeID, string(state))
}

// CountApplications counts the office's applications in state, from the
// queue index.
func (s *Store) CountApplications(ctx context.Context, officeID uuid.UUID, state notary.ApplicationState) (int, error) {
	return s.count(ctx, "applications", officeID, string(state))
}

func (s *Store) count(ctx context.Context, table string, officeID uuid.UUID, state string) (int, error) {
	return read(ctx, s, func() (n int, err error) {
		err = s.pool.QueryRow(ctx, `SELECT count(*) FROM `+table+` WHERE office_id = $1 AND state = $2`, pgid(officeID), state).Scan(&n)
		return n, dbError(err)
	})
}

// FindFilings returns the office's filings matching q, newest first.
func (s *Store) FindFilings(ctx context.Context, q notary.FindQuery) ([]notary.Filing, error) {
	query, args, err := findFilingsSQL(q)
	if err != nil || query == "" {
		return nil, err
	}
	return queryDocs(ctx, s, query, args, recorddoc.DecodeFiling)
}

// findFilingsSQL is the query of FindFilings ("" for a key of
// applications only).
func findFilingsSQL(q notary.FindQuery) (string, []any, error) {
	if err := q.Validate(); err != nil {
		return "", nil, err
	}
	var where string
	var args []any
	switch {
	case q.ID != uuid.Nil:
		// One row at most: by the primary key, nothing to order.
		return `SELECT doc FROM filings WHERE id = $2 AND office_id = $1 LIMIT $3`, []any{pgid(q.OfficeID), pgid(q.ID), q.Limit}, nil
	case q.IDSuffix != "":
		where, args = idSuffixWhere(q.IDSuffix)
	case q.Enterprise != "" && utf8.RuneCountInString(q.Enterprise) >= notary.MinEnterpriseSubstring:
		// The names containing the text from the trigram index (00012),
		// then the office's among them by primary key: materialized, so
		// that the planner cannot walk the office's rows instead. LIKE's
		// wildcards in the text are literal.
		query := `WITH m AS MATERIALIZED (SELECT id, office_id FROM filings WHERE ` + exprEnterprise + ` LIKE $2)
			SELECT f.doc FROM m JOIN filings f ON f.id = m.id WHERE m.office_id = $1
			ORDER BY f.created_at DESC, f.id DESC LIMIT $3`
		return query, []any{pgid(q.OfficeID), "%" + likeEscaper.Replace(q.Enterprise) + "%", q.Limit}, nil
	case q.Enterprise != "":
		// A range of the C-collated index, then the exact prefix.
		p := q.Enterprise
		where = exprEnterprise + ` COLLATE "C" >= $2 AND ` + exprEnterprise + ` COLLATE "C" < $3 AND left(` + exprEnterprise + `, length($2)) = $2`
		args = []any{p, p + "\U0010FFFF"}
	case q.CreditCode != "":
		where, args = exprCreditCode+` = $2`, []any{q.CreditCode}
	default:
		return "", nil, nil // keys of applications only
	}
	args = append([]any{pgid(q.OfficeID)}, args...)
	query := `SELECT doc FROM filings WHERE office_id = $1 AND ` + where +
		` ORDER BY created_at DESC, id DESC LIMIT $` + strconv.Itoa(len(args)+1)
	return query, append(args, q.Limit), nil
}

// FindApplications returns the office's applications matching q, newest
// first.
func (s *Store) FindApplications(ctx context.Context, q notary.FindQuery) ([]notary.Application, error) {
	query, args, err := findApplicationsSQL(q)
	if err != nil || query == "" {
		return nil, err
	}
	return queryDocs(ctx, s, query, args, recorddoc.DecodeApplication)
}

// findApplicationsSQL is the query of FindApplications ("" for a key of
// filings only).
func findApplicationsSQL(q notary.FindQuery) (string, []any, error) {
	if err := q.Validate(); err != nil {
		return "", nil, err
	}
	var where string
	var args []any
	switch {
	case q.ID != uuid.Nil:
		// One row at most: by the primary key, nothing to order.
		return `SELECT doc FROM applications WHERE id = $2 AND office_id = $1 LIMIT $3`, []any{pgid(q.OfficeID), pgid(q.ID), q.Limit}, nil
	case q.IDSuffix != "":
		where, args = idSuffixWhere(q.IDSuffix)
	case q.FilingID != uuid.Nil:
		where, args = exprFiling+` = $2`, []any{q.FilingID.String()}
	case q.TrackingNumber != "":
		where = `id IN (SELECT id FROM applications WHERE office_id = $1 AND ` + exprMaterials + ` = $2
			UNION SELECT id FROM applications WHERE office_id = $1 AND ` + exprCertificate + ` = $2)`
		args = []any{q.TrackingNumber}
	case q.CertificateNumber != "":
		where, args = exprCertNumber+` = $2`, []any{q.CertificateNumber}
	default:
		return "", nil, nil // keys of filings only
	}
	args = append([]any{pgid(q.OfficeID)}, args...)
	query := `SELECT doc FROM applications WHERE office_id = $1 AND ` + where +
		` ORDER BY created_at DESC, id DESC LIMIT $` + strconv.Itoa(len(args)+1)
	return query, append(args, q.Limit), nil
}

// likeEscaper escapes LIKE's wildcards and its escape character.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// idSuffixWhere finds the IDs ending in sfx as the range of their reversed
// text starting with sfx reversed (00012): IDs are ASCII, so the range is
// exact.
func idSuffixWhere(sfx string) (string, []any) {
	b := []byte(sfx)
	slices.Reverse(b)
	r := string(b)
	return exprIDReverse + ` >= $2 AND ` + exprIDReverse + ` < $3`, []any{r, r + "\U0010FFFF"}
}
