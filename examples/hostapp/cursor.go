package main

import (
	"net/http"
	"strconv"
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
	text, _ := notary.Cursor{CreatedAt: at, ID: id}.MarshalText() // never fails
	return string(text)
}

// decodeCursor parses the query parameter param as a cursor; absent means
// nil (the first page).
func decodeCursor(r *http.Request, param string) (*notary.Cursor, error) {
	s := r.URL.Query().Get(param)
	if s == "" {
		return nil, nil
	}
	var c notary.Cursor
	if err := c.UnmarshalText([]byte(s)); err != nil {
		return nil, &notary.FieldError{Field: param, Reason: "malformed cursor"}
	}
	return &c, nil
}

// pageParams parses a listing's ?after= cursor (decodeCursor) and ?limit=
// (pageSize), in that order.
func pageParams(r *http.Request) (*notary.Cursor, int, error) {
	after, err := decodeCursor(r, "after")
	if err != nil {
		return nil, 0, err
	}
	limit, err := pageSize(r)
	return after, limit, err
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
