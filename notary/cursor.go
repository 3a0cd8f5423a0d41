package notary

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/google/uuid"
)

// MarshalText encodes the position as an opaque, URL-safe token, so every
// host page and API hands out the same cursor format.
func (c Cursor) MarshalText() ([]byte, error) {
	raw := c.CreatedAt.UTC().Format(time.RFC3339Nano) + " " + c.ID.String()
	out := make([]byte, base64.RawURLEncoding.EncodedLen(len(raw)))
	base64.RawURLEncoding.Encode(out, []byte(raw))
	return out, nil
}

// UnmarshalText parses a token made by MarshalText. A malformed token is
// ErrInvalidInput naming the field "cursor".
func (c *Cursor) UnmarshalText(text []byte) error {
	bad := invalid("cursor", "malformed cursor")
	raw, err := base64.RawURLEncoding.DecodeString(string(text))
	if err != nil {
		return bad
	}
	ts, id, ok := strings.Cut(string(raw), " ")
	if !ok {
		return bad
	}
	at, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return bad
	}
	uid, err := uuid.Parse(id)
	if err != nil {
		return bad
	}
	*c = Cursor{CreatedAt: at, ID: uid}
	return nil
}
