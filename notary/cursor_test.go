package notary_test

import (
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

func TestCursorText(t *testing.T) {
	t.Parallel()
	in := notary.Cursor{CreatedAt: time.Date(2026, 3, 4, 5, 6, 7, 891011000, time.FixedZone("CST", 8*3600)), ID: uuid.New()}
	text, err := in.MarshalText()
	require.NoError(t, err)
	var out notary.Cursor
	require.NoError(t, out.UnmarshalText(text))
	assert.True(t, in.CreatedAt.Equal(out.CreatedAt))
	assert.Equal(t, in.ID, out.ID)

	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for name, bad := range map[string]string{
		"empty":      "",
		"not base64": "!!!",
		"no space":   enc("2026-03-04T05:06:07Z"),
		"bad time":   enc("yesterday " + uuid.NewString()),
		"bad id":     enc("2026-03-04T05:06:07Z not-an-id"),
	} {
		t.Run(name, func(t *testing.T) {
			var c notary.Cursor
			err := c.UnmarshalText([]byte(bad))
			require.ErrorIs(t, err, notary.ErrInvalidInput)
			var fe *notary.FieldError
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, "cursor", fe.Field)
			assert.Equal(t, notary.Cursor{}, c, "a refused token leaves the cursor as it was")
		})
	}
}
