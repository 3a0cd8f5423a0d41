package postgres

import (
	"context"
	"strconv"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/adapters/internal/recorddoc"
	"github.com/notarykit/notarykit/notary"
)

var _ notary.ReviewIndex = (*Store)(nil)

// Index expressions of migration 00008: a query must spell them the same
// way for PostgreSQL to use the index.
const (
	exprEnterprise  = `(doc->'content'->>'enterprise_name')`
	exprCreditCode  = `(doc->'content'->>'credit_code')`
	exprIDSuffix    = `right(id::text, 12)`
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
		where, args = exprIDSuffix+` = $2`, []any{q.IDSuffix}
	case q.EnterprisePrefix != "":
		// A range of the C-collated index, then the exact prefix.
		p := q.EnterprisePrefix
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
		where, args = exprIDSuffix+` = $2`, []any{q.IDSuffix}
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
