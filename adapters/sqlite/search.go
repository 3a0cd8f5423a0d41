package sqlite

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/adapters/internal/recorddoc"
	"github.com/notarykit/notarykit/notary"
)

var _ notary.ReviewIndex = (*Store)(nil)

// Index expressions of migrations 00005 and 00009: a query must spell
// them the same way for SQLite to use the index.
const (
	exprEnterprise   = `json_extract(doc, '$.content.enterprise_name')`
	exprCreditCode   = `json_extract(doc, '$.content.credit_code')`
	exprIDReverse    = `substr(id, 36, 1)||substr(id, 35, 1)||substr(id, 34, 1)||substr(id, 33, 1)||substr(id, 32, 1)||substr(id, 31, 1)||substr(id, 30, 1)||substr(id, 29, 1)||substr(id, 28, 1)||substr(id, 27, 1)||substr(id, 26, 1)||substr(id, 25, 1)`
	exprMaterials    = `json_extract(doc, '$.materials.tracking_number')`
	exprCertificate  = `json_extract(doc, '$.certificate.tracking_number')`
	exprCertNumber   = `json_extract(doc, '$.certificate_number')`
	newestFirstLimit = ` ORDER BY created_at DESC, id DESC LIMIT ?`
)

// prefixEnd is the exclusive upper bound of the strings starting with p in
// byte order: p followed by the largest code point. The query also checks
// the prefix exactly, so the bound only narrows the index range.
func prefixEnd(p string) string { return p + "\U0010FFFF" }

// idSuffixWhere finds the IDs ending in sfx as a range of the index of
// their last 12 characters reversed (00009), then checks a longer tail
// exactly. IDs are ASCII, so the range is exact.
func idSuffixWhere(sfx string) (string, []any) {
	tail := []byte(sfx[max(0, len(sfx)-12):])
	slices.Reverse(tail)
	r := string(tail)
	return exprIDReverse + ` >= ? AND ` + exprIDReverse + ` < ? AND substr(id, ?) = ?`, []any{r, prefixEnd(r), 37 - len(sfx), sfx}
}

// indexedBy names the index a lookup must search: without statistics
// SQLite would rather walk the office's rows in creation order (to skip
// the sort), which reads every row of the office.
func indexedBy(index string) string {
	if index == "" {
		return ""
	}
	return " INDEXED BY " + index
}

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
	query, args, err := findFilingsSQL(q)
	if err != nil || query == "" {
		return nil, err
	}
	return findDocs(ctx, s, "filings", query, args, recorddoc.DecodeFiling)
}

// findFilingsSQL is the query of FindFilings ("" for a key of
// applications only).
func findFilingsSQL(q notary.FindQuery) (string, []any, error) {
	if err := q.Validate(); err != nil {
		return "", nil, err
	}
	office := uid(q.OfficeID)
	var where, index string
	var args []any
	switch {
	case q.ID != uuid.Nil:
		where, args = `id = ?`, []any{uid(q.ID)}
	case q.IDSuffix != "":
		where, args = idSuffixWhere(q.IDSuffix)
		index = "filings_id_reverse"
	case q.Enterprise != "" && utf8.RuneCountInString(q.Enterprise) >= notary.MinEnterpriseSubstring:
		// The trigram table (00009) first (CROSS JOIN keeps the order),
		// then each match's filing by rowid and the exact substring.
		query := `SELECT filings.doc FROM filings_enterprise_fts CROSS JOIN filings ON filings.rowid = filings_enterprise_fts.rowid
			WHERE filings_enterprise_fts.name MATCH ? AND filings.office_id = ? AND instr(` + exprEnterprise + `, ?) > 0
			ORDER BY filings.created_at DESC, filings.id DESC LIMIT ?`
		return query, []any{`"` + strings.ReplaceAll(q.Enterprise, `"`, `""`) + `"`, office, q.Enterprise, q.Limit}, nil
	case q.Enterprise != "":
		p := q.Enterprise
		where = exprEnterprise + ` >= ? AND ` + exprEnterprise + ` < ? AND substr(` + exprEnterprise + `, 1, length(?)) = ?`
		args, index = []any{p, prefixEnd(p), p, p}, "filings_enterprise"
	case q.CreditCode != "":
		where, args, index = exprCreditCode+` = ?`, []any{q.CreditCode}, "filings_credit_code"
	default:
		return "", nil, nil // keys of applications only
	}
	query := `SELECT doc FROM filings` + indexedBy(index) + ` WHERE office_id = ? AND ` + where + newestFirstLimit
	return query, append(append([]any{office}, args...), q.Limit), nil
}

// FindApplications returns the office's applications matching q, newest
// first.
func (s *Store) FindApplications(ctx context.Context, q notary.FindQuery) ([]notary.Application, error) {
	query, args, err := findApplicationsSQL(q)
	if err != nil || query == "" {
		return nil, err
	}
	return findDocs(ctx, s, "applications", query, args, recorddoc.DecodeApplication)
}

// findApplicationsSQL is the query of FindApplications ("" for a key of
// filings only).
func findApplicationsSQL(q notary.FindQuery) (string, []any, error) {
	if err := q.Validate(); err != nil {
		return "", nil, err
	}
	office := uid(q.OfficeID)
	var where, index string
	var args []any
	switch {
	case q.ID != uuid.Nil:
		where, args = `id = ?`, []any{uid(q.ID)}
	case q.IDSuffix != "":
		where, args = idSuffixWhere(q.IDSuffix)
		index = "applications_id_reverse"
	case q.FilingID != uuid.Nil:
		where, args, index = `filing_id = ?`, []any{uid(q.FilingID)}, "applications_filing"
	case q.TrackingNumber != "":
		// The office is checked inside, so the outer query reads by ID.
		query := `SELECT doc FROM applications WHERE id IN (
			SELECT id FROM applications INDEXED BY applications_materials_tracking WHERE office_id = ? AND ` + exprMaterials + ` = ?
			UNION SELECT id FROM applications INDEXED BY applications_certificate_tracking WHERE office_id = ? AND ` + exprCertificate + ` = ?)` + newestFirstLimit
		return query, []any{office, q.TrackingNumber, office, q.TrackingNumber, q.Limit}, nil
	case q.CertificateNumber != "":
		where, args, index = exprCertNumber+` = ?`, []any{q.CertificateNumber}, "applications_certificate_number"
	default:
		return "", nil, nil // keys of filings only
	}
	query := `SELECT doc FROM applications` + indexedBy(index) + ` WHERE office_id = ? AND ` + where + newestFirstLimit
	return query, append(append([]any{office}, args...), q.Limit), nil
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
