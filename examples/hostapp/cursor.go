package main

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// Pagination bounds of list endpoints.
const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// encodeCursor makes an opaque keyset cursor of a list position.
func encodeCursor(at time.Time, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + " " + id.String()))
}

// decodeCursor parses the query parameter param as a cursor; absent means
// nil (the first page).
func decodeCursor(r *http.Request, param string) (*notary.Cursor, error) {
	s := r.URL.Query().Get(param)
	if s == "" {
		return nil, nil
	}
	bad := &notary.FieldError{Field: param, Reason: "malformed cursor"}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	ts, id, ok := strings.Cut(string(raw), " ")
	if !ok {
		return nil, bad
	}
	at, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return nil, bad
	}
	uid, err := uuid.Parse(id)
	if err != nil {
		return nil, bad
	}
	return &notary.Cursor{CreatedAt: at, ID: uid}, nil
}

// pageSize parses ?limit= (defaultPageSize when absent).
func pageSize(r *http.Request) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return defaultPageSize, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxPageSize {
		return 0, &notary.FieldError{Field: "limit", Reason: "must be an integer from 1 to " + strconv.Itoa(maxPageSize)}
	}
	return n, nil
}

// nextCursor returns the cursor after the last of n items when the page is
// full (there may be more), else "".
func nextCursor(n, limit int, at time.Time, id uuid.UUID) string {
	if n < limit {
		return ""
	}
	return encodeCursor(at, id)
}
