package courier

import (
	"errors"
	"testing"

	"github.com/notarykit/notarykit/notary"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func codesOf(cs []Carrier) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Code
	}
	return out
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name, in   string
		want       string   // unique carrier
		number     string   // canonical number
		candidates []string // ambiguous
		invalid    bool     // fits none or malformed
	}{
		{name: "SF prefix", in: "sf 1234 5678 9012", want: "SF", number: "SF123456789012"},
		{name: "SF full width", in: "ＳＦ１２３４５６７８９０１２", want: "SF", number: "SF123456789012"},
		{name: "S10 with check digit", in: "EE123456785CN", want: "EMS", number: "EE123456785CN"},
		{name: "S10 with wrong check digit", in: "EE123456784CN", invalid: true},
		{name: "JD", in: "JDVA12345678901", want: "JD", number: "JDVA12345678901"},
		{name: "YTO", in: "yt1234567890123", want: "YTO", number: "YT1234567890123"},
		{name: "12 digits starting 7", in: "731234567890", number: "731234567890", candidates: []string{"SF", "ZTO", "STO"}},
		{name: "12 digits starting 1", in: "123456789012", number: "123456789012", candidates: []string{"SF", "STO"}},
		{name: "13 digits starting 1", in: "1123456789012", number: "1123456789012", candidates: []string{"SF", "EMS", "STO", "YUNDA"}},
		{name: "13 digits starting 4", in: "4312345678901", number: "4312345678901", candidates: []string{"SF", "STO", "YUNDA"}},
		{name: "too short", in: "12345", invalid: true},
		{name: "16 digits", in: "1234567890123456", invalid: true},
		{name: "empty", in: "  ", invalid: true},
		{name: "bad character", in: "SF12345678901!", invalid: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, n, err := Detect(tt.in)
			switch {
			case tt.invalid:
				requireInvalid(t, err, "tracking_number")
				assert.False(t, errors.Is(err, ErrAmbiguousCarrier))
				assert.Empty(t, n)
			case tt.candidates != nil:
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrAmbiguousCarrier)
				assert.ErrorIs(t, err, notary.ErrInvalidInput)
				var amb *AmbiguousError
				require.ErrorAs(t, err, &amb)
				assert.Equal(t, tt.candidates, codesOf(amb.Candidates))
				assert.Equal(t, tt.number, amb.Number)
				var fe *notary.FieldError
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, "carrier", fe.Field)
				assert.Contains(t, err.Error(), tt.candidates[0])
				assert.Empty(t, c.Code)
			default:
				require.NoError(t, err)
				assert.Equal(t, tt.want, c.Code)
				assert.Equal(t, tt.number, n)
				// The detected carrier accepts the number as it is.
				again, err := c.Normalize(n)
				require.NoError(t, err)
				assert.Equal(t, n, again)
			}
		})
	}
}

func TestSuggestAgreesWithNormalize(t *testing.T) {
	// Every carrier Suggest names accepts the number, and every carrier it
	// leaves out rejects it.
	for _, in := range []string{"731234567890", "EE123456785CN", "JD12345678901", "9876543210123", "SF1234567890123", "00000000000000"} {
		fits, n, err := Suggest(in)
		require.NoError(t, err, in)
		got := map[string]bool{}
		for _, c := range fits {
			got[c.Code] = true
		}
		for _, c := range Carriers() {
			_, err := c.Normalize(n)
			assert.Equal(t, err == nil, got[c.Code], "%s for %s", c.Code, in)
		}
	}
	fits, _, err := Suggest("1234")
	require.NoError(t, err)
	assert.Empty(t, fits)
}
