package sqlite

import (
	"context"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/adapters/internal/recorddoc"
	"github.com/notarykit/notarykit/notary"
)

var _ notary.ReviewIndex = (*Store)(nil)

// Index expressions of migration 00005: a query must spell them the same
// way for SQLite to use the index.
const (
	exprEnterprise   = `json_extract(doc, '$.content.enterprise_name')`
	exprCreditCode   = `json_extract(doc, '$.content.credit_code')`
	exprIDSuffix     = `substr(id, 25)`
	exprMaterials    = `json_extract(doc, '$.materials.tracking_number')`
	exprCertificate  = `json_extract(doc, '$.certificate.tracking_number')`
	exprCertNumber   = `json_extract(doc, '$.certificate_number')`
	newestFirstLimit = ` ORDER BY created_at DESC, id DESC LIMIT ?`
)

// prefixEnd is the exclusive upper bound of the strings starting with p in
// byte order: p followed by the largest code point. The query also checks
// the prefix exactly, so the bound only narrows the index range.
func prefixEnd(p string) string { return p + "\U0010FFFF" }

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
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE office_id = ? AND state = ?`, uid(officeID), state).Scan(&n)
	if err != nil {
		return 0, s.fail(ctx, "count "+table, err)
	}
	return n, nil
}

// FindFilings returns the office's filings matching q, newest first.
func (s *Store) FindFilings(ctx context.Context, q notary.FindQuery) ([]notary.Filing, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	office := uid(q.OfficeID)
	var where string
	var args []any
	switch {
	case q.ID != uuid.Nil:
		where, args = `id = ?`, []any{uid(q.ID)}
	case q.IDSuffix != "":
		where, args = exprIDSuffix+` = ?`, []any{q.IDSuffix}
	case q.EnterprisePrefix != "":
		p := q.EnterprisePrefix
		where = exprEnterprise + ` >= ? AND ` + exprEnterprise + ` < ? AND substr(` + exprEnterprise + `, 1, length(?)) = ?`
		args = []any{p, prefixEnd(p), p, p}
	case q.CreditCode != "":
		where, args = exprCreditCode+` = ?`, []any{q.CreditCode}
	default:
		return nil, nil // keys of applications only
	}
	query := `SELECT doc FROM filings WHERE office_id = ? AND ` + where + newestFirstLimit
	return findDocs(ctx, s, "filings", query, append(append([]any{office}, args...), q.Limit), recorddoc.DecodeFiling)
}

// FindApplications returns the office's applications matching q, newest
// first.
func (s *Store) FindApplications(ctx context.Context, q notary.FindQuery) ([]notary.Application, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	office := uid(q.OfficeID)
	var where string
	var args []any
	switch {
	case q.ID != uuid.Nil:
		where, args = `id = ?`, []any{uid(q.ID)}
	case q.IDSuffix != "":
		where, args = exprIDSuffix+` = ?`, []any{q.IDSuffix}
	case q.FilingID != uuid.Nil:
		where, args = `filing_id = ?`, []any{uid(q.FilingID)}
	case q.TrackingNumber != "":
		where = `id IN (SELECT id FROM applications WHERE office_id = ? AND ` + exprMaterials + ` = ?
			UNION SELECT id FROM applications WHERE office_id = ? AND ` + exprCertificate + ` = ?)`
		args = []any{office, q.TrackingNumber, office, q.TrackingNumber}
	case q.CertificateNumber != "":
		where, args = exprCertNumber+` = ?`, []any{q.CertificateNumber}
	default:
		return nil, nil // keys of filings only
	}
	query := `SELECT doc FROM applications WHERE office_id = ? AND ` + where + newestFirstLimit
	return findDocs(ctx, s, "applications", query, append(append([]any{office}, args...), q.Limit), recorddoc.DecodeApplication)
}

// findDocs runs a lookup and decodes its documents.
func findDocs[T any](ctx context.Context, s *Store, table, query string, args []any, decode func([]byte) (T, error)) ([]T, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.fail(ctx, "find "+table, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, s.fail(ctx, "find "+table, err)
		}
		v, err := decode(doc)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "find "+table, err)
	}
	return out, nil
}
