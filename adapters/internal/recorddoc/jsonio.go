package recorddoc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Application and notice documents are written and read by hand rather
// than by reflection: every transition on a SQL store reads and writes
// them, and the hand-written codec takes well under half the time
// (BenchmarkApplication). Writing appends to a byte slice; reading walks
// the values of a jsontext.Decoder, which checks the syntax (nesting,
// escapes, UTF-8) as the reflection decoder does.

// writer appends a JSON document to b.
type writer struct{ b []byte }

// str appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// encoding/json does; that is the only error AppendQuote reports.
func (w *writer) str(s string) { w.b, _ = jsontext.AppendQuote(w.b, s) }

func (w *writer) int(i int64) { w.b = strconv.AppendInt(w.b, i, 10) }

func (w *writer) uuid(u uuid.UUID) {
	var buf [36]byte
	w.b = append(w.b, '"')
	w.b = append(w.b, formatUUID(&buf, u)...)
	w.b = append(w.b, '"')
}

// time appends t in RFC 3339 with nanoseconds, as time.Time's MarshalJSON
// does.
func (w *writer) time(t time.Time) {
	w.b = append(w.b, '"')
	w.b = t.AppendFormat(w.b, time.RFC3339Nano)
	w.b = append(w.b, '"')
}

// dec appends d as a string keeping its exponent, or null for the zero
// Decimal value.
func (w *writer) dec(d decimal.Decimal) {
	if d == (decimal.Decimal{}) {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, DecimalString(d)...) // digits, '.', '-' and 'e' need no escaping
	w.b = append(w.b, '"')
}

func formatUUID(buf *[36]byte, u uuid.UUID) []byte {
	const hex = "0123456789abcdef"
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			buf[j] = '-'
			j++
		}
		buf[j], buf[j+1] = hex[c>>4], hex[c&0x0f]
		j += 2
	}
	return buf[:]
}

// reader reads a JSON document token by token. The first error sticks:
// every later call returns zero values, and err reports it.
type reader struct {
	d   *jsontext.Decoder
	buf bytes.Buffer
	err error
}

// readOptions let a later duplicate name win, as encoding/json does; the
// encoder never writes one, and checking costs a seventh of the decoding.
var readOptions = jsontext.AllowDuplicateNames(true)

var readers = sync.Pool{New: func() any { return &reader{d: new(jsontext.Decoder)} }}

// newReader returns a pooled reader of b; release it when done.
func newReader(b []byte) *reader {
	r := readers.Get().(*reader)
	r.buf = *bytes.NewBuffer(b) // the decoder reads a bytes.Buffer in place
	r.d.Reset(&r.buf, readOptions)
	r.err = nil
	return r
}

func (r *reader) release() {
	r.buf = bytes.Buffer{}
	r.d.Reset(&r.buf) // drop the reference to the document
	readers.Put(r)
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// value reads the next value as raw JSON, or nil after an error.
func (r *reader) value() jsontext.Value {
	if r.err != nil {
		return nil
	}
	v, err := r.d.ReadValue()
	if err != nil {
		r.fail(err)
		return nil
	}
	return v
}

// null reports whether the next value is null, and consumes it if so.
func (r *reader) null() bool {
	if r.err != nil || r.d.PeekKind() != 'n' {
		return false
	}
	r.value()
	return true
}

// object reads the start of an object; then, while more reports true,
// name returns each member's name, and the caller reads or skips its
// value.
func (r *reader) object() { r.open('{', "an object") }

// array reads the start of an array; then, while more reports true, the
// caller reads each element. list does it all for a nullable array.
func (r *reader) array() { r.open('[', "an array") }

func (r *reader) open(want jsontext.Kind, what string) {
	if r.err != nil {
		return
	}
	tok, err := r.d.ReadToken()
	if err != nil {
		r.fail(err)
	} else if tok.Kind() != want {
		r.fail(fmt.Errorf("%v where %s belongs", tok.Kind(), what))
	}
}

// list reads an array whose elements elem reads, or null as nil; an empty
// array stays empty, not nil.
func list[T any](r *reader, elem func(*reader) T) []T {
	if r.null() {
		return nil
	}
	out := []T{}
	r.array()
	for r.more() {
		out = append(out, elem(r))
	}
	return out
}

// more reports whether the object or array being read has another member,
// and reads its end if not.
func (r *reader) more() bool {
	if r.err != nil {
		return false
	}
	switch r.d.PeekKind() {
	case '}', ']':
		if _, err := r.d.ReadToken(); err != nil {
			r.fail(err)
		}
		return false
	case 0:
		r.value() // records the decoder's error
		return false
	}
	return true
}

// name reads a member name, to be compared as written (the encoder never
// escapes one) in a switch on string(name), which does not allocate.
func (r *reader) name() []byte {
	v := r.value()
	if len(v) < 2 {
		return nil
	}
	return v[1 : len(v)-1]
}

// end checks that nothing but whitespace follows the document.
func (r *reader) end() {
	if r.err != nil {
		return
	}
	switch _, err := r.d.ReadToken(); {
	case err == io.EOF:
	case err == nil:
		r.fail(errors.New("data after the document"))
	default:
		r.fail(err)
	}
}

func (r *reader) skip() {
	if r.err == nil {
		r.fail(r.d.SkipValue())
	}
}

// raw reads a string's contents without unescaping, for values that never
// hold an escape (times, UUIDs, decimals); an escape makes them fail to
// parse.
func (r *reader) raw(what string) []byte {
	v := r.value()
	if r.err != nil {
		return nil
	}
	if v.Kind() != '"' {
		r.fail(fmt.Errorf("%s: %v where a string belongs", what, v.Kind()))
		return nil
	}
	return v[1 : len(v)-1]
}

func (r *reader) str() string {
	v := r.value()
	if r.err != nil {
		return ""
	}
	if v.Kind() != '"' {
		r.fail(fmt.Errorf("%v where a string belongs", v.Kind()))
		return ""
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1]) // the decoder has checked the UTF-8
	}
	s, err := jsontext.AppendUnquote(nil, v)
	r.fail(err)
	return string(s)
}

var errNotInt = errors.New("not an integer")

func (r *reader) int64() int64 {
	v := r.value()
	if r.err != nil {
		return 0
	}
	if v.Kind() != '0' {
		r.fail(fmt.Errorf("%v where a number belongs", v.Kind()))
		return 0
	}
	n, ok := parseInt(v)
	if !ok {
		r.fail(fmt.Errorf("%s: %w", v, errNotInt))
	}
	return n
}

func (r *reader) int() int { return int(r.int64()) }

// parseInt parses a JSON number that must be an integer fitting in int64.
func parseInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case neg && n <= 1<<63:
		return -int64(n), true
	case !neg && n < 1<<63:
		return int64(n), true
	}
	return 0, false
}

func (r *reader) uuid() uuid.UUID {
	b := r.raw("uuid")
	if r.err != nil {
		return uuid.Nil
	}
	u, err := uuid.ParseBytes(b)
	r.fail(err)
	return u
}

// time reads an RFC 3339 time and returns it in UTC (zero stays zero).
func (r *reader) time() time.Time {
	b := r.raw("time")
	if r.err != nil {
		return time.Time{}
	}
	var t time.Time
	r.fail(t.UnmarshalText(b))
	return utc(t)
}

// dec reads what writer.dec wrote.
func (r *reader) dec() decimal.Decimal {
	if r.null() {
		return decimal.Decimal{}
	}
	b := r.raw("amount")
	if r.err != nil {
		return decimal.Decimal{}
	}
	d, err := decimal.NewFromString(string(b))
	r.fail(err)
	return d
}

func (r *reader) bool() bool {
	v := r.value()
	if r.err != nil {
		return false
	}
	switch v.Kind() {
	case 't':
		return true
	case 'f':
		return false
	}
	r.fail(fmt.Errorf("%v where a boolean belongs", v.Kind()))
	return false
}
