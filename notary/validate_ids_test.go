package notary

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testUSCCCheck computes the GB 32100-2015 check character for a 17-character
// body independently of the implementation: weights are 3^(i) mod 31 computed
// on the fly and values come from strings.IndexByte.
func testUSCCCheck(t testing.TB, body string) byte {
	t.Helper()
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	require.Len(t, body, 17)
	sum, w := 0, 1
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(alphabet, body[i])
		require.GreaterOrEqual(t, v, 0, "body char %q not in alphabet", body[i])
		sum += v * w
		w = w * 3 % 31
	}
	return alphabet[(31-sum%31)%31]
}

// testResidentIDCheck computes the ISO 7064 MOD 11-2 check character for a
// 17-digit body independently of the implementation: weight of position i
// (1-based, of 18) is 2^(18-i) mod 11 and the check value is (12 - sum mod 11)
// mod 11, with 10 written as X.
func testResidentIDCheck(t testing.TB, body string) byte {
	t.Helper()
	require.Len(t, body, 17)
	sum := 0
	for i := 0; i < 17; i++ {
		require.True(t, body[i] >= '0' && body[i] <= '9', "body char %q not a digit", body[i])
		w := 1
		for k := 0; k < 17-i; k++ {
			w = w * 2 % 11
		}
		sum += int(body[i]-'0') * w
	}
	v := (12 - sum%11) % 11
	if v == 10 {
		return 'X'
	}
	return byte('0' + v)
}

func testWithCredit(t testing.TB, body string) string {
	return body + string(testUSCCCheck(t, body))
}

func testWithResident(t testing.TB, body string) string {
	return body + string(testResidentIDCheck(t, body))
}

func TestCheckCreditCode(t *testing.T) {
	valid := []struct {
		name string
		code string
	}{
		// Published codes of well-known companies, verified by the algorithm.
		{"published 1", "91110000100017643K"},
		{"published 2", "9144030071526726XG"},
		{"published 3", "914403001922038216"},
		{"published 4", "91330100716105852F"},
		{"published 5", "91110000802100433B"},
		// Codes computed with the independent helper.
		{"computed letters", testWithCredit(t, "91350100M000100Y4")},
		{"computed MA prefix", testWithCredit(t, "91440101MA59MKAE6")},
		{"computed authority 1", testWithCredit(t, "11100000000013127")},
		{"computed authority 5", testWithCredit(t, "53100000500021676")},
		{"computed authority Y", testWithCredit(t, "Y2330100ABCDEFGHJ")},
		{"computed type letter", testWithCredit(t, "9A110000123456789")},
		{"check character zero", "911100000000000250"},
	}
	for _, tc := range valid {
		t.Run("valid/"+tc.name, func(t *testing.T) {
			assert.NoError(t, CheckCreditCode(tc.code))
		})
	}
	// The "check character zero" literal relies on the sum being a multiple of 31.
	require.Equal(t, byte('0'), testUSCCCheck(t, "91110000000000025"))

	good := "91110000100017643K"
	invalid := []struct {
		name   string
		code   string
		reason string
	}{
		{"empty", "", "required"},
		{"too short", good[:17], "must be 18 characters"},
		{"too long", good + "0", "must be 18 characters"},
		{"huge", strings.Repeat("9", 1<<20), "must be 18 characters"},
		{"lower case", strings.ToLower(good), "must be upper case"},
		{"letter I", "91110000I00017643K", `invalid character 'I' at position 9`},
		{"letter O", "91110000O00017643K", `invalid character 'O' at position 9`},
		{"letter Z", "91110000Z00017643K", `invalid character 'Z' at position 9`},
		{"letter S", "9111000010001764SK", `invalid character 'S' at position 17`},
		{"letter V", "V1110000100017643K", `invalid character 'V' at position 1`},
		{"lower i", "91110000i00017643K", `invalid character 'i' at position 9`},
		{"space", "91110000 00017643K", `invalid character ' ' at position 9`},
		{"hyphen", "911100001000-7643K", `invalid character '-' at position 13`},
		{"control", "91110000\x0000017643K", "invalid character at position 9"},
		{"invalid utf8", "91110000\xff00017643K", "invalid character at position 9"},
		{"fullwidth digit", "91110000１00017643K", `invalid character '１' at position 9`},
		{"authority 2", testWithCredit(t, "21110000100017643"), "invalid registration authority code"},
		{"authority A", testWithCredit(t, "A1110000100017643"), "invalid registration authority code"},
		{"authority 0", testWithCredit(t, "01110000100017643"), "invalid registration authority code"},
		{"org type 0", testWithCredit(t, "90110000100017643"), "invalid organization type code"},
		{"division letter", testWithCredit(t, "911A0000100017643"), "administrative division code must be digits"},
		{"division letter last", testWithCredit(t, "9111000K100017643"), "administrative division code must be digits"},
		{"check mismatch", "91110000100017643J", "check character mismatch"},
		{"transposed", "91110000100071643K", "check character mismatch"},
		{"single digit typo", "91110000100017653K", "check character mismatch"},
	}
	for _, tc := range invalid {
		t.Run("invalid/"+tc.name, func(t *testing.T) {
			assert.EqualError(t, CheckCreditCode(tc.code), tc.reason)
		})
	}
}

func TestCheckCreditCodeEveryWrongCheckRejected(t *testing.T) {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	body := "91350100M000100Y4"
	want := testUSCCCheck(t, body)
	for i := 0; i < len(alphabet); i++ {
		err := CheckCreditCode(body + string(alphabet[i]))
		if alphabet[i] == want {
			assert.NoError(t, err)
		} else {
			assert.EqualError(t, err, "check character mismatch", "check %q", alphabet[i])
		}
	}
}

// TestCheckIDsEveryCheckValue makes sure every possible check character is
// produced and accepted at least once, so no table entry goes untested.
func TestCheckIDsEveryCheckValue(t *testing.T) {
	seenCredit := map[byte]bool{}
	for i := 0; i < 2000 && len(seenCredit) < 31; i++ {
		code := testWithCredit(t, fmt.Sprintf("91110108MA%07d", i))
		seenCredit[code[17]] = true
		require.NoError(t, CheckCreditCode(code), code)
	}
	assert.Len(t, seenCredit, 31)

	seenResident := map[byte]bool{}
	for i := 0; i < 1000 && len(seenResident) < 11; i++ {
		id := testWithResident(t, fmt.Sprintf("44030419900307%03d", i))
		seenResident[id[17]] = true
		require.NoError(t, CheckResidentID(id), id)
	}
	assert.Len(t, seenResident, 11)
}

func TestCheckResidentID(t *testing.T) {
	valid := []struct {
		name string
		id   string
	}{
		{"published example", "11010519491231002X"},
		{"computed", testWithResident(t, "44030419900307123")},
		{"leap day 2000", testWithResident(t, "31010120000229001")},
		{"leap day 1904", testWithResident(t, "31010119040229001")},
		{"year 1900", testWithResident(t, "11010119000101001")},
		{"far future date", testWithResident(t, "11010129991231001")},
		{"dec 31", testWithResident(t, "51010219871231987")},
	}
	for _, tc := range valid {
		t.Run("valid/"+tc.name, func(t *testing.T) {
			assert.NoError(t, CheckResidentID(tc.id))
		})
	}

	invalid := []struct {
		name   string
		id     string
		reason string
	}{
		{"empty", "", "required"},
		{"too short", "11010519491231002", "must be 18 characters"},
		{"too long", "11010519491231002X0", "must be 18 characters"},
		{"15 digit old format", "110105491231002", "must be 18 characters"},
		{"huge", strings.Repeat("1", 1<<20), "must be 18 characters"},
		{"lower x", "11010519491231002x", "check character must be upper-case X"},
		{"letter check", "11010519491231002A", "check character must be a digit or X"},
		{"multibyte check", "11010519491231002Ｘ", "check character must be a digit or X"},
		{"invalid utf8 check", "11010519491231002\xff", "check character must be a digit or X"},
		{"letter in body", "1101051949123100XX", "first 17 characters must be digits"},
		{"space in body", "110105 9491231002X", "first 17 characters must be digits"},
		{"invalid utf8 body", "1101051949123100\xffX", "first 17 characters must be digits"},
		{"fullwidth digit", "１1010519491231002X", "first 17 characters must be digits"},
		{"year 1899", testWithResident(t, "11010518991231001"), "invalid birth date"},
		{"year 0000", testWithResident(t, "11010500000101001"), "invalid birth date"},
		{"month 00", testWithResident(t, "11010519490001001"), "invalid birth date"},
		{"month 13", testWithResident(t, "11010519491301001"), "invalid birth date"},
		{"day 00", testWithResident(t, "11010519491200001"), "invalid birth date"},
		{"day 32", testWithResident(t, "11010519490132001"), "invalid birth date"},
		{"april 31", testWithResident(t, "11010519490431001"), "invalid birth date"},
		{"feb 29 non leap", testWithResident(t, "11010519490229001"), "invalid birth date"},
		{"feb 29 1900", testWithResident(t, "11010519000229001"), "invalid birth date"},
		{"feb 30 leap", testWithResident(t, "11010520000230001"), "invalid birth date"},
		{"check mismatch", "110105194912310021", "check character mismatch"},
		{"digit typo", "11010519491231003X", "check character mismatch"},
	}
	for _, tc := range invalid {
		t.Run("invalid/"+tc.name, func(t *testing.T) {
			assert.EqualError(t, CheckResidentID(tc.id), tc.reason)
		})
	}
}

func TestCheckResidentIDEveryWrongCheckRejected(t *testing.T) {
	body := "11010519491231002"
	want := testResidentIDCheck(t, body)
	require.Equal(t, byte('X'), want)
	for _, c := range []byte("0123456789X") {
		err := CheckResidentID(body + string(c))
		if c == want {
			assert.NoError(t, err)
		} else {
			assert.EqualError(t, err, "check character mismatch", "check %q", c)
		}
	}
}

func TestCheckEmail(t *testing.T) {
	valid := []string{
		"user@example.com",
		"first.last@example.co.uk",
		"a+tag@sub.example.org",
		"x@y.cn",
		"o'brien@example.ie",
		"用户@例子.中国",
		strings.Repeat("a", 64) + "@example.com",
		"a@" + strings.Repeat(strings.Repeat("b", 63)+".", 3) + strings.Repeat("c", 57) + ".cn", // 254 bytes
	}
	for _, addr := range valid {
		t.Run("valid/"+addr, func(t *testing.T) {
			assert.NoError(t, CheckEmail(addr))
		})
	}

	invalid := []struct {
		name   string
		addr   string
		reason string
	}{
		{"empty", "", "required"},
		{"too long", "a@" + strings.Repeat(strings.Repeat("b", 63)+".", 3) + strings.Repeat("c", 58) + ".cn", "too long (max 254 characters)"},
		{"huge", strings.Repeat("a", 1<<20), "too long (max 254 characters)"},
		{"invalid utf8", "us\xffer@example.com", "invalid utf-8"},
		{"leading space", " user@example.com", "must not contain whitespace"},
		{"trailing newline", "user@example.com\n", "must not contain whitespace"},
		{"inner space", "us er@example.com", "must not contain whitespace"},
		{"nbsp", "user\u00a0@example.com", "must not contain whitespace"},
		{"control", "us\x01er@example.com", "must not contain control characters"},
		{"c1 control", "us\u0090er@example.com", "must not contain control characters"},
		{"no at", "user.example.com", "must contain exactly one @"},
		{"two ats", "a@b@example.com", "must contain exactly one @"},
		{"quoted at", `"a@b"@example.com`, "must contain exactly one @"},
		{"display name", "Bob<bob@example.com>", "must not include a display name"},
		{"angle brackets", "<bob@example.com>", "must be a bare address"},
		{"comment", "bob@example.com(work)", "must not include a display name"}, // net/mail reports the comment as the name
		{"quoted local", `"bob"@example.com`, "must be a bare address"},
		{"empty local", "@example.com", "invalid email address"},
		{"empty domain", "bob@", "invalid email address"},
		{"leading dot", ".bob@example.com", "invalid email address"},
		{"double dot local", "bo..b@example.com", "invalid email address"},
		{"trailing dot domain", "bob@example.com.", "invalid email address"},
		{"double dot domain", "bob@example..com", "invalid email address"},
		{"comma", "bob,alice@example.com", "invalid email address"},
		{"local too long", strings.Repeat("a", 65) + "@example.com", "local part too long (max 64 characters)"},
		{"domain literal", "bob@[192.0.2.1]", "domain literal not allowed"},
		{"no dot", "bob@localhost", "domain must contain a dot"},
		{"label too long", "bob@" + strings.Repeat("b", 64) + ".com", "invalid domain"},
	}
	for _, tc := range invalid {
		t.Run("invalid/"+tc.name, func(t *testing.T) {
			assert.EqualError(t, CheckEmail(tc.addr), tc.reason)
		})
	}
}

func TestCheckMobile(t *testing.T) {
	for _, p := range []string{"13800138000", "15912345678", "19900000000", "14700000000", "16600000000", "17012345678", "18612345678"} {
		t.Run("valid/"+p, func(t *testing.T) {
			assert.NoError(t, CheckMobile(p))
		})
	}
	invalid := []struct {
		name   string
		phone  string
		reason string
	}{
		{"empty", "", "required"},
		{"too short", "1380013800", "must be 11 digits"},
		{"too long", "138001380000", "must be 11 digits"},
		{"country code", "+8613800138000", "must be 11 digits"},
		{"86 prefix", "8613800138000", "must be 11 digits"},
		{"dashes", "138-0013-800", "must be 11 digits"},
		{"letter", "1380013800a", "must be 11 digits"},
		{"fullwidth", "１3800138000", "must be 11 digits"},
		{"invalid utf8", "1380013800\xff", "must be 11 digits"},
		{"huge", strings.Repeat("1", 1<<20), "must be 11 digits"},
		{"starts with 2", "23800138000", "must start with 1"},
		{"starts with 0", "03800138000", "must start with 1"},
		{"second digit 0", "10800138000", "invalid mobile number prefix"},
		{"second digit 1", "11800138000", "invalid mobile number prefix"},
		{"second digit 2", "12800138000", "invalid mobile number prefix"},
	}
	for _, tc := range invalid {
		t.Run("invalid/"+tc.name, func(t *testing.T) {
			assert.EqualError(t, CheckMobile(tc.phone), tc.reason)
		})
	}
}

func TestCheckSHA256Hex(t *testing.T) {
	lower := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	for _, s := range []string{lower, strings.ToUpper(lower), "E3b0C44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", strings.Repeat("0", 64)} {
		assert.NoError(t, CheckSHA256Hex(s), s)
	}
	invalid := []struct {
		name   string
		s      string
		reason string
	}{
		{"empty", "", "required"},
		{"too short", lower[:63], "must be 64 hex characters"},
		{"too long", lower + "0", "must be 64 hex characters"},
		{"sha1 length", lower[:40], "must be 64 hex characters"},
		{"0x prefix", "0x" + lower[:62], "must contain only hex characters"},
		{"letter g", "g" + lower[1:], "must contain only hex characters"},
		{"space", " " + lower[1:], "must contain only hex characters"},
		{"invalid utf8", "\xff" + lower[1:], "must contain only hex characters"},
		{"multibyte", "é" + lower[2:], "must contain only hex characters"},
	}
	for _, tc := range invalid {
		t.Run("invalid/"+tc.name, func(t *testing.T) {
			assert.EqualError(t, CheckSHA256Hex(tc.s), tc.reason)
		})
	}
}

func TestCheckText(t *testing.T) {
	cases := []struct {
		name     string
		s        string
		min, max int
		reason   string // "" means valid
	}{
		{"simple", "hello", 1, 10, ""},
		{"exact max runes", "公证处证明书", 1, 6, ""},
		{"exact min", "ab", 2, 5, ""},
		{"newline and tab", "line1\n\tline2", 1, 100, ""},
		{"trimmed length", "   abc   ", 1, 3, ""},
		{"empty optional", "", 0, 10, ""},
		{"blank optional", "  \n\t ", 0, 10, ""},
		{"no upper bound", strings.Repeat("x", 10000), 1, -1, ""},
		{"empty required", "", 1, 10, "required"},
		{"blank required", " \n\t ", 1, 10, "required"},
		{"too short", "a", 2, 10, "too short (min 2 characters)"},
		{"too long", "abcd", 1, 3, "too long (max 3 characters)"},
		{"too long runes", "公证处证明书", 1, 5, "too long (max 5 characters)"},
		{"max zero", "a", 0, 0, "too long (max 0 characters)"},
		{"invalid utf8", "ab\xffc", 0, 10, "invalid utf-8"},
		{"nul", "ab\x00c", 0, 10, "must not contain control characters"},
		{"carriage return", "a\r\nb", 0, 10, "must not contain control characters"},
		{"escape", "a\x1b[31mb", 0, 10, "must not contain control characters"},
		{"del", "a\x7fb", 0, 10, "must not contain control characters"},
		{"c1 control", "a\u0085b", 0, 10, "must not contain control characters"},
		{"trailing vertical tab", "abc\v", 0, 10, "must not contain control characters"},
		{"huge", strings.Repeat("长", 1<<20), 1, 500, "too long (max 500 characters)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckText(tc.s, tc.min, tc.max)
			if tc.reason == "" {
				assert.NoError(t, err)
			} else {
				assert.EqualError(t, err, tc.reason)
			}
		})
	}
}
