package courier

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/notarykit/notarykit/notary"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testS10Check computes the UPU S10 check digit independently of the
// implementation, straight from the standard's remainder table.
func testS10Check(t testing.TB, serial string) int {
	t.Helper()
	require.Len(t, serial, 8)
	weights := []int{8, 6, 4, 2, 3, 5, 9, 7}
	sum := 0
	for i, w := range weights {
		d := strings.IndexByte("0123456789", serial[i])
		require.GreaterOrEqual(t, d, 0)
		sum += d * w
	}
	return map[int]int{0: 5, 1: 0, 2: 9, 3: 8, 4: 7, 5: 6, 6: 5, 7: 4, 8: 3, 9: 2, 10: 1}[sum%11]
}

// requireInvalid asserts err is a *notary.FieldError for field that matches
// notary.ErrInvalidInput.
func requireInvalid(t testing.TB, err error, field string) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, notary.ErrInvalidInput)
	var fe *notary.FieldError
	require.True(t, errors.As(err, &fe), "want *notary.FieldError, got %T", err)
	assert.Equal(t, field, fe.Field)
	assert.NotEmpty(t, fe.Reason)
}

func TestCarriers(t *testing.T) {
	cs := Carriers()
	codes := make([]string, len(cs))
	for i, c := range cs {
		codes[i] = c.Code
		assert.NotEmpty(t, c.NameZh, c.Code)
		assert.NotEmpty(t, c.NameEn, c.Code)
		n, err := c.Normalize(c.Example)
		require.NoError(t, err, "example of %s", c.Code)
		assert.Equal(t, c.Example, n, "example of %s is canonical", c.Code)
	}
	assert.Equal(t, []string{"SF", "EMS", "JD", "YTO", "ZTO", "STO", "YUNDA"}, codes)

	// The result is a copy.
	cs[0].Code = "XX"
	assert.Equal(t, "SF", Carriers()[0].Code)
}

func TestLookup(t *testing.T) {
	tests := []struct {
		code string
		want string
		ok   bool
	}{
		{"SF", "SF", true},
		{"sf", "SF", true},
		{" Ems ", "EMS", true},
		{"jd", "JD", true},
		{"yto", "YTO", true},
		{"Zto", "ZTO", true},
		{"sto", "STO", true},
		{"yunda", "YUNDA", true},
		{"", "", false},
		{"UPS", "", false},
		{"S F", "", false},
		{"顺丰", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			c, ok := Lookup(tt.code)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, c.Code)
		})
	}
}

func TestNormalizeValid(t *testing.T) {
	tests := []struct {
		carrier, in, want string
	}{
		// SF: "SF" + 12-13 digits, or 12-15 digits.
		{"SF", "SF123456789012", "SF123456789012"},
		{"SF", "SF1234567890123", "SF1234567890123"},
		{"SF", "123456789012", "123456789012"},
		{"SF", "123456789012345", "123456789012345"},
		{"sf", "  sf 1234-5678-9012 ", "SF123456789012"},
		{"SF", "ＳＦ１２３４５６７８９０１２", "SF123456789012"},           // full width
		{"SF", "\tSF\u3000123456789012\n", "SF123456789012"}, // tab, ideographic space
		{"SF", "SF–1234—5678－9012", "SF123456789012"},        // en/em/full-width dashes

		// EMS: S10 with check digit, or 13 digits starting 1 or 9.
		{"EMS", "EE123456785CN", "EE123456785CN"},
		{"EMS", "ee 123 456 785 cn", "EE123456785CN"},
		{"EMS", "RR473124829GB", "RR473124829GB"},
		{"EMS", "EA000000005CN", "EA000000005CN"}, // remainder 0 -> 5
		{"EMS", "EA000600000CN", "EA000600000CN"}, // remainder 1 -> 0
		{"EMS", "CP876543216CN", "CP876543216CN"},
		{"EMS", "1123456789012", "1123456789012"},
		{"EMS", "9876543210123", "9876543210123"},

		// JD: "JD" + up to 2 letters + 11-15 digits.
		{"JD", "JD0001234567890", "JD0001234567890"},
		{"JD", "JDVA12345678901", "JDVA12345678901"},
		{"JD", "jdvb 1234 5678 9012 345", "JDVB123456789012345"},
		{"JD", "JDX12345678901", "JDX12345678901"},
		{"JD", "JD12345678901", "JD12345678901"},

		// YTO: "YT" + 13-15 digits.
		{"YTO", "YT1234567890123", "YT1234567890123"},
		{"YTO", "yt123456789012345", "YT123456789012345"},

		// ZTO: 12-15 digits starting 7, 5 or 3.
		{"ZTO", "731234567890", "731234567890"},
		{"ZTO", "512345678901234", "512345678901234"},
		{"ZTO", "3123-4567-8901", "312345678901"},

		// STO: 12-15 digits.
		{"STO", "773123456789", "773123456789"},
		{"STO", "268123456789012", "268123456789012"},
		{"STO", "123456789012", "123456789012"},

		// YUNDA: 13-15 digits.
		{"YUNDA", "4312345678901", "4312345678901"},
		{"yunda", "431234567890123", "431234567890123"},
	}
	for _, tt := range tests {
		t.Run(tt.carrier+"/"+tt.in, func(t *testing.T) {
			got, err := Normalize(tt.carrier, tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)

			again, err := Normalize(tt.carrier, got)
			require.NoError(t, err)
			assert.Equal(t, got, again, "canonical form is stable")

			c, ok := Lookup(tt.carrier)
			require.True(t, ok)
			viaCarrier, err := c.Normalize(tt.in)
			require.NoError(t, err)
			assert.Equal(t, got, viaCarrier)
		})
	}
}

func TestNormalizeInvalid(t *testing.T) {
	tests := []struct {
		carrier, in, field string
	}{
		{"", "SF123456789012", "carrier"},
		{"UPS", "1Z999AA10123456784", "carrier"},
		{"SF", "", "tracking_number"},
		{"SF", "   ", "tracking_number"},
		{"SF", " - - ", "tracking_number"},
		{"SF", strings.Repeat("1", 200), "tracking_number"},
		{"SF", "SF12345678901", "tracking_number"},      // SF + 11
		{"SF", "SF12345678901234", "tracking_number"},   // SF + 14
		{"SF", "12345678901", "tracking_number"},        // 11 digits
		{"SF", "1234567890123456", "tracking_number"},   // 16 digits
		{"SF", "SF12345678901X", "tracking_number"},     // letter
		{"SF", "SF123456789012.", "tracking_number"},    // punctuation
		{"SF", "SF12345678901２a", "tracking_number"},    // trailing letter
		{"SF", "SF123456789012\x00", "tracking_number"}, // control char
		{"SF", "SF12345678901\xff", "tracking_number"},  // invalid UTF-8
		{"SF", "ſF123456789012", "tracking_number"},     // long s is not S
		{"EMS", "EE123456784CN", "tracking_number"},     // check digit
		{"EMS", "RR473124828GB", "tracking_number"},     // check digit
		{"EMS", "EA000600005CN", "tracking_number"},     // remainder 1 is 0, not 5
		{"EMS", "E1123456785CN", "tracking_number"},     // digit in service indicator
		{"EMS", "EE12345678CN", "tracking_number"},      // 8 digits only
		{"EMS", "EE123456785C1", "tracking_number"},     // digit in country
		{"EMS", "2123456789012", "tracking_number"},     // domestic must start 1 or 9
		{"EMS", "112345678901", "tracking_number"},      // 12 digits
		{"EMS", "11234567890123", "tracking_number"},    // 14 digits
		{"JD", "1234567890123", "tracking_number"},      // no prefix
		{"JD", "JDVAB12345678901", "tracking_number"},   // 3 letters
		{"JD", "JD1234567890", "tracking_number"},       // 10 digits
		{"JD", "JD1234567890123456", "tracking_number"}, // 16 digits
		{"JD", "JDVA", "tracking_number"},
		{"YTO", "1234567890123", "tracking_number"},      // no prefix
		{"YTO", "YT123456789012", "tracking_number"},     // 12 digits
		{"YTO", "YT1234567890123456", "tracking_number"}, // 16 digits
		{"YTO", "YTO1234567890123", "tracking_number"},
		{"ZTO", "131234567890", "tracking_number"},     // prefix
		{"ZTO", "73123456789", "tracking_number"},      // 11 digits
		{"ZTO", "7312345678901234", "tracking_number"}, // 16 digits
		{"ZTO", "ZT731234567890", "tracking_number"},
		{"STO", "77312345678", "tracking_number"},      // 11 digits
		{"STO", "7731234567890123", "tracking_number"}, // 16 digits
		{"STO", "A77312345678", "tracking_number"},
		{"YUNDA", "431234567890", "tracking_number"},     // 12 digits
		{"YUNDA", "4312345678901234", "tracking_number"}, // 16 digits
		{"YUNDA", "YD4312345678901", "tracking_number"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%q", tt.carrier, tt.in), func(t *testing.T) {
			got, err := Normalize(tt.carrier, tt.in)
			requireInvalid(t, err, tt.field)
			assert.Empty(t, got)
		})
	}
}

func TestZeroCarrier(t *testing.T) {
	_, err := Carrier{}.Normalize("SF123456789012")
	requireInvalid(t, err, "carrier")
}

func TestS10CheckDigit(t *testing.T) {
	// Each literal was computed by hand from the weights 8,6,4,2,3,5,9,7
	// and cross-checked with the independent helper below.
	tests := []struct {
		serial string
		want   int
	}{
		{"47312482", 9}, // RR473124829GB, the UPU S10 example; sum 200, r 2
		{"12345678", 5}, // EE123456785CN; sum 204, r 6
		{"87654321", 6}, // sum 192, r 5
		{"10000001", 7}, // sum 15, r 4
		{"00000001", 4}, // sum 7, r 7
		{"10000000", 3}, // sum 8, r 8
		{"00000010", 2}, // sum 9, r 9
		{"00000200", 1}, // sum 10, r 10
		{"00000000", 5}, // r 0 -> 5
		{"00100001", 5}, // sum 11, r 0 -> 5
		{"11111111", 5}, // sum 44, r 0 -> 5
		{"00060000", 0}, // sum 12, r 1 -> 0
	}
	for _, tt := range tests {
		t.Run(tt.serial, func(t *testing.T) {
			got, err := S10CheckDigit(tt.serial)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, testS10Check(t, tt.serial), got)
		})
	}

	// Cross-check a spread of serials against the independent helper.
	for n := 0; n < 100_000_000; n += 999_983 {
		serial := fmt.Sprintf("%08d", n)
		got, err := S10CheckDigit(serial)
		require.NoError(t, err)
		require.Equal(t, testS10Check(t, serial), got, serial)
	}
}

func TestS10CheckDigitInvalid(t *testing.T) {
	for _, serial := range []string{"", "1234567", "123456789", "1234567a", " 12345678", "１２３４５６７８", "1234-567"} {
		t.Run(fmt.Sprintf("%q", serial), func(t *testing.T) {
			_, err := S10CheckDigit(serial)
			requireInvalid(t, err, "serial")
		})
	}
}
