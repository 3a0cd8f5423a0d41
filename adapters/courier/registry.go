package courier

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/width"

	"github.com/notarykit/notarykit/notary"
)

// Carrier describes one express carrier and how its tracking numbers look.
// Obtain carriers from Carriers or Lookup; the zero Carrier rejects every
// number.
type Carrier struct {
	// Code is the carrier's registry code, upper case, e.g. "SF".
	Code string
	// NameZh is the carrier's Chinese name, e.g. "顺丰速运".
	NameZh string
	// NameEn is the carrier's English name, e.g. "SF Express".
	NameEn string
	// Example is a syntactically valid tracking number in canonical form,
	// suitable as an input placeholder. It does not denote a real parcel.
	Example string
	// check reports why a cleaned number is invalid, or "" if it is valid.
	check func(n string) string
}

// Normalize returns number in canonical form (see the package documentation)
// if it is a valid tracking number of c. Otherwise it returns a
// *notary.FieldError with Field "tracking_number" (or "carrier" for the zero
// Carrier), which wraps notary.ErrInvalidInput.
func (c Carrier) Normalize(number string) (string, error) {
	if c.check == nil {
		return "", &notary.FieldError{Field: "carrier", Reason: "unknown carrier"}
	}
	n, reason := clean(number)
	if reason == "" {
		reason = c.check(n)
	}
	if reason != "" {
		return "", &notary.FieldError{Field: "tracking_number", Reason: reason}
	}
	return n, nil
}

// registry holds the supported carriers in presentation order.
var registry = []Carrier{
	{
		Code: "SF", NameZh: "顺丰速运", NameEn: "SF Express",
		Example: "SF1234567890123",
		check: func(n string) string {
			const rule = `"SF" + 12-13 digits, or 12-15 digits`
			if rest, ok := strings.CutPrefix(n, "SF"); ok {
				return digits(rest, 12, 13, rule)
			}
			return digits(n, 12, 15, rule)
		},
	},
	{
		Code: "EMS", NameZh: "中国邮政 EMS", NameEn: "EMS / China Post",
		Example: "EE123456785CN",
		check:   checkEMS,
	},
	{
		Code: "JD", NameZh: "京东物流", NameEn: "JD Logistics",
		Example: "JDVA12345678901",
		check: func(n string) string {
			const rule = `"JD" + up to 2 letters + 11-15 digits`
			rest, ok := strings.CutPrefix(n, "JD")
			if !ok {
				return "want " + rule
			}
			for i := 0; i < 2 && rest != "" && isLetter(rest[0]); i++ {
				rest = rest[1:]
			}
			return digits(rest, 11, 15, rule)
		},
	},
	{
		Code: "YTO", NameZh: "圆通速递", NameEn: "YTO Express",
		Example: "YT1234567890123",
		check: func(n string) string {
			const rule = `"YT" + 13-15 digits`
			rest, ok := strings.CutPrefix(n, "YT")
			if !ok {
				return "want " + rule
			}
			return digits(rest, 13, 15, rule)
		},
	},
	{
		Code: "ZTO", NameZh: "中通快递", NameEn: "ZTO Express",
		Example: "731234567890",
		check: func(n string) string {
			const rule = "12-15 digits starting with 3, 5 or 7"
			if r := digits(n, 12, 15, rule); r != "" {
				return r
			}
			if n[0] != '3' && n[0] != '5' && n[0] != '7' {
				return "want " + rule
			}
			return ""
		},
	},
	{
		// STO numbers usually start with 77, 88, 268, 368, ... 968; the
		// prefix is not enforced because new ranges appear without notice.
		Code: "STO", NameZh: "申通快递", NameEn: "STO Express",
		Example: "773123456789012",
		check: func(n string) string {
			return digits(n, 12, 15, "12-15 digits")
		},
	},
	{
		Code: "YUNDA", NameZh: "韵达快递", NameEn: "Yunda Express",
		Example: "4312345678901",
		check: func(n string) string {
			return digits(n, 13, 15, "13-15 digits")
		},
	},
}

// Carriers returns the supported carriers in presentation order. The slice
// is a fresh copy the caller may modify.
func Carriers() []Carrier {
	out := make([]Carrier, len(registry))
	copy(out, registry)
	return out
}

// Lookup returns the carrier with the given code, compared
// case-insensitively after trimming surrounding white space.
func Lookup(code string) (Carrier, bool) {
	code = strings.TrimSpace(code)
	for _, c := range registry {
		if strings.EqualFold(c.Code, code) {
			return c, true
		}
	}
	return Carrier{}, false
}

// Normalize returns the canonical form of a tracking number of the carrier
// with the given code. An unknown carrier yields a *notary.FieldError with
// Field "carrier", an invalid number one with Field "tracking_number"; both
// wrap notary.ErrInvalidInput.
func Normalize(carrier, number string) (string, error) {
	_, n, err := resolve(carrier, number)
	return n, err
}

// resolve looks up the carrier and normalises the number.
func resolve(carrier, number string) (Carrier, string, error) {
	c, ok := Lookup(carrier)
	if !ok {
		return Carrier{}, "", &notary.FieldError{Field: "carrier", Reason: fmt.Sprintf("unknown carrier %q", truncate(carrier))}
	}
	n, err := c.Normalize(number)
	return c, n, err
}

// s10Weights are the UPU S10 weights of the eight serial digits.
var s10Weights = [8]int{8, 6, 4, 2, 3, 5, 9, 7}

// S10CheckDigit returns the UPU S10 check digit of an item identifier's
// eight-digit serial number: the digits are weighted 8, 6, 4, 2, 3, 5, 9, 7,
// the sum is taken modulo 11 and the check digit is 11 minus the remainder,
// except that a remainder of 0 gives 5 and a remainder of 1 gives 0. For
// "RR473124829GB" the serial is "47312482" and the check digit 9. A serial
// that is not exactly eight ASCII digits yields a *notary.FieldError with
// Field "serial", which wraps notary.ErrInvalidInput.
func S10CheckDigit(serial string) (int, error) {
	if len(serial) != 8 || !allDigits(serial) {
		return 0, &notary.FieldError{Field: "serial", Reason: "must be 8 digits"}
	}
	return s10Check(serial), nil
}

// s10Check computes the check digit of eight ASCII digits.
func s10Check(serial string) int {
	sum := 0
	for i, w := range s10Weights {
		sum += int(serial[i]-'0') * w
	}
	switch r := sum % 11; r {
	case 0:
		return 5
	case 1:
		return 0
	default:
		return 11 - r
	}
}

// checkEMS accepts a UPU S10 identifier with a correct check digit, or a
// China Post domestic number of 13 digits starting with 1 or 9.
func checkEMS(n string) string {
	const rule = "want S10 format (2 letters, 9 digits, 2 letters) or 13 digits starting with 1 or 9"
	if len(n) != 13 {
		return rule
	}
	if allDigits(n) {
		if n[0] != '1' && n[0] != '9' {
			return rule
		}
		return ""
	}
	if !isLetter(n[0]) || !isLetter(n[1]) || !allDigits(n[2:11]) || !isLetter(n[11]) || !isLetter(n[12]) {
		return rule
	}
	if int(n[10]-'0') != s10Check(n[2:10]) {
		return "S10 check digit mismatch"
	}
	return ""
}

// maxInput bounds the raw input length; no carrier's number comes close.
const maxInput = 128

// clean trims and strips white space and dashes, folds full-width letters
// and digits to ASCII and upper-cases letters. It reports a reason when the
// input is empty, too long or contains any other character.
func clean(s string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "required"
	}
	if len(s) > maxInput {
		return "", "too long"
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsSpace(r) || isDash(r) {
			continue
		}
		n := r
		if p := width.LookupRune(r); p.Kind() == width.EastAsianFullwidth && p.Narrow() != 0 {
			n = p.Narrow() // full-width, as a Chinese input method types it
		}
		switch {
		case 'a' <= n && n <= 'z':
			b.WriteByte(byte(n - 'a' + 'A'))
		case 'A' <= n && n <= 'Z', '0' <= n && n <= '9':
			b.WriteByte(byte(n))
		default:
			return "", fmt.Sprintf("invalid character %q", r)
		}
	}
	if b.Len() == 0 {
		return "", "required"
	}
	return b.String(), ""
}

// isDash reports whether r is a hyphen or dash people type into numbers.
func isDash(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212', '\uFF0D':
		return true
	}
	return false
}

// digits reports why s is not a run of min to max ASCII digits.
func digits(s string, min, max int, rule string) string {
	if len(s) < min || len(s) > max || !allDigits(s) {
		return "want " + rule
	}
	return ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isLetter(b byte) bool { return 'A' <= b && b <= 'Z' }

// truncate shortens s for inclusion in an error message.
func truncate(s string) string {
	if len(s) <= 32 {
		return s
	}
	r := []rune(s)
	if len(r) > 32 {
		r = r[:32]
	}
	return string(r)
}
