package courier

import (
	"fmt"
	"strings"
	"testing"

	"github.com/notarykit/notarykit/notary"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzNormalize checks that Normalize never panics, that every rejection
// wraps notary.ErrInvalidInput, that an accepted number is canonical (upper
// case ASCII letters and digits) and re-normalises to itself, and that an
// S10 number built from fuzzed serial digits is accepted by EMS exactly with
// its computed check digit.
func FuzzNormalize(f *testing.F) {
	f.Add("SF", "sf 1234-5678-9012", uint32(47312482))
	f.Add("ems", "EE123456785CN", uint32(12345678))
	f.Add("JD", "JDVA12345678901", uint32(0))
	f.Add("yunda", "４３１２３４５６７８９０１", uint32(99999999))
	f.Add("", "", uint32(60000))

	f.Fuzz(func(t *testing.T, carrier, number string, serialSeed uint32) {
		check := func(code string) {
			got, err := Normalize(code, number)
			if err != nil {
				require.ErrorIs(t, err, notary.ErrInvalidInput)
				assert.Empty(t, got)
				return
			}
			_, ok := Lookup(code)
			require.True(t, ok, "accepted with unknown carrier %q", code)
			for i := 0; i < len(got); i++ {
				c := got[i]
				require.True(t, 'A' <= c && c <= 'Z' || '0' <= c && c <= '9', "non-canonical byte %q in %q", c, got)
			}
			again, err := Normalize(code, got)
			require.NoError(t, err, "canonical %q rejected", got)
			require.Equal(t, got, again)
		}
		check(carrier)
		for _, c := range Carriers() {
			check(c.Code)
		}

		serial := fmt.Sprintf("%08d", serialSeed%100_000_000)
		cd, err := S10CheckDigit(serial)
		require.NoError(t, err)
		require.Equal(t, testS10Check(t, serial), cd)
		for d := 0; d <= 9; d++ {
			n := fmt.Sprintf("EE%s%dCN", serial, d)
			got, err := Normalize("EMS", strings.ToLower(n))
			if d == cd {
				require.NoError(t, err, n)
				require.Equal(t, n, got)
			} else {
				require.ErrorIs(t, err, notary.ErrInvalidInput, n)
			}
		}
	})
}
