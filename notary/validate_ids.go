package notary

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds pure, allocation-light validators for identifiers and free
// text. Each returns nil or a plain error carrying a short lower-case reason
// (e.g. "check character mismatch"); callers wrap the reason with the field
// name. None of them panics, whatever the input.

// usccAlphabet is the GB 32100-2015 character set of the unified social
// credit code (no I, O, S, V, Z). A character's value is its index.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are the GB 32100-2015 weights for positions 1..17
// (3^(i-1) mod 31).
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// usccValues maps a byte to its value in usccAlphabet, or -1.
var usccValues = func() (v [256]int8) {
	for i := range v {
		v[i] = -1
	}
	for i := 0; i < len(usccAlphabet); i++ {
		v[usccAlphabet[i]] = int8(i)
	}
	return v
}()

// CheckCreditCode validates a Chinese unified social credit code
// (统一社会信用代码, GB 32100-2015): 18 upper-case characters from
// "0123456789ABCDEFGHJKLMNPQRTUWXY", a registration authority code of 1, 5,
// 9 or Y, a non-zero organization type code, a six-digit administrative
// division code in positions 3-8, and a MOD 31 check character in position
// 18. Lower-case input is rejected; upper-case it first if that is wanted.
func CheckCreditCode(code string) error {
	if code == "" {
		return errors.New("required")
	}
	if len(code) != 18 && utf8.RuneCountInString(code) != 18 {
		return errors.New("must be 18 characters")
	}
	pos := 0
	for _, r := range code {
		pos++
		if r < utf8.RuneSelf && usccValues[r] >= 0 {
			continue
		}
		if 'a' <= r && r <= 'z' && usccValues[r-'a'+'A'] >= 0 {
			return errors.New("must be upper case")
		}
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return fmt.Errorf("invalid character at position %d", pos)
		}
		return fmt.Errorf("invalid character %q at position %d", r, pos)
	}
	// Every character is ASCII now, so len(code) == 18.
	switch code[0] {
	case '1', '5', '9', 'Y':
	default:
		return errors.New("invalid registration authority code")
	}
	if code[1] == '0' {
		return errors.New("invalid organization type code")
	}
	for i := 2; i < 8; i++ {
		if code[i] < '0' || code[i] > '9' {
			return errors.New("administrative division code must be digits")
		}
	}
	sum := 0
	for i, w := range usccWeights {
		sum += int(usccValues[code[i]]) * w
	}
	if code[17] != usccAlphabet[(31-sum%31)%31] {
		return errors.New("check character mismatch")
	}
	return nil
}

// residentIDWeights are the ISO 7064 MOD 11-2 weights for positions 1..17.
var residentIDWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// residentIDCheckChars is indexed by the weighted sum mod 11.
const residentIDCheckChars = "10X98765432"

// CheckResidentID validates an 18-character PRC resident identity card
// number (GB 11643-1999): 17 digits followed by a check character (a digit
// or upper-case X) computed with ISO 7064 MOD 11-2. The birth date in
// positions 7-14 (YYYYMMDD) must be a real calendar date in year 1900 or
// later; it is not compared with the current date.
func CheckResidentID(id string) error {
	if id == "" {
		return errors.New("required")
	}
	if len(id) != 18 && utf8.RuneCountInString(id) != 18 {
		return errors.New("must be 18 characters")
	}
	// len(id) >= 18 here: 18 runes take at least 18 bytes.
	for i := 0; i < 17; i++ {
		if id[i] < '0' || id[i] > '9' {
			return errors.New("first 17 characters must be digits")
		}
	}
	last := id[17:]
	if last == "x" {
		return errors.New("check character must be upper-case X")
	}
	if len(last) != 1 || (last[0] != 'X' && (last[0] < '0' || last[0] > '9')) {
		return errors.New("check character must be a digit or X")
	}
	year := vidDigits(id[6:10])
	month := vidDigits(id[10:12])
	day := vidDigits(id[12:14])
	if year < 1900 || month < 1 || month > 12 || day < 1 || day > vidDaysInMonth(year, month) {
		return errors.New("invalid birth date")
	}
	sum := 0
	for i, w := range residentIDWeights {
		sum += int(id[i]-'0') * w
	}
	if last[0] != residentIDCheckChars[sum%11] {
		return errors.New("check character mismatch")
	}
	return nil
}

// vidDigits converts a short string of ASCII digits (already checked) to an int.
func vidDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// vidDaysInMonth returns the number of days in month (1-12) of the
// proleptic Gregorian year.
func vidDaysInMonth(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	default:
		return 31
	}
}

// maxEmailLen is the longest address accepted (RFC 5321 path limit minus
// the angle brackets).
const maxEmailLen = 254

// CheckEmail validates a bare e-mail address such as "user@example.com":
// at most 254 bytes, no whitespace or control characters, exactly one '@',
// a local part of at most 64 bytes, and a domain name (not a literal such
// as "[192.0.2.1]") with at least one dot and labels of 1-63 bytes. The address
// must parse with net/mail.ParseAddress to itself, so display names,
// angle brackets, comments and quoted local parts are rejected.
func CheckEmail(addr string) error {
	if addr == "" {
		return errors.New("required")
	}
	if len(addr) > maxEmailLen {
		return fmt.Errorf("too long (max %d characters)", maxEmailLen)
	}
	if !utf8.ValidString(addr) {
		return errors.New("invalid utf-8")
	}
	for _, r := range addr {
		if unicode.IsSpace(r) {
			return errors.New("must not contain whitespace")
		}
		if unicode.IsControl(r) {
			return errors.New("must not contain control characters")
		}
	}
	at := strings.IndexByte(addr, '@')
	if at < 0 || strings.IndexByte(addr[at+1:], '@') >= 0 {
		return errors.New("must contain exactly one @")
	}
	parsed, err := mail.ParseAddress(addr)
	if err != nil {
		return errors.New("invalid email address")
	}
	if parsed.Name != "" {
		return errors.New("must not include a display name")
	}
	if parsed.Address != addr {
		return errors.New("must be a bare address")
	}
	if at > 64 {
		return errors.New("local part too long (max 64 characters)")
	}
	domain := addr[at+1:]
	if strings.HasPrefix(domain, "[") {
		return errors.New("domain literal not allowed")
	}
	if !strings.Contains(domain, ".") {
		return errors.New("domain must contain a dot")
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || len(label) > 63 {
			return errors.New("invalid domain")
		}
	}
	return nil
}

// CheckMobile validates a mainland China mobile number: exactly 11 ASCII
// digits, the first 1 and the second 3-9. No country code, spaces or
// dashes are accepted; the caller normalizes beforehand.
func CheckMobile(phone string) error {
	if phone == "" {
		return errors.New("required")
	}
	if len(phone) != 11 {
		return errors.New("must be 11 digits")
	}
	for i := 0; i < len(phone); i++ {
		if phone[i] < '0' || phone[i] > '9' {
			return errors.New("must be 11 digits")
		}
	}
	if phone[0] != '1' {
		return errors.New("must start with 1")
	}
	if phone[1] < '3' {
		return errors.New("invalid mobile number prefix")
	}
	return nil
}

// CheckSHA256Hex validates a hex-encoded SHA-256 digest: exactly 64
// characters from 0-9, a-f and A-F (case may be mixed).
func CheckSHA256Hex(s string) error {
	if s == "" {
		return errors.New("required")
	}
	if len(s) != 64 {
		return errors.New("must be 64 hex characters")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return errors.New("must contain only hex characters")
		}
	}
	return nil
}

// CheckText validates free text: valid UTF-8 with no control characters
// other than '\n' and '\t' (anywhere in s, including leading and trailing
// whitespace), and a length in runes, counted after strings.TrimSpace,
// between min and max inclusive. Empty text with min > 0 is reported as
// "required". A negative max disables the upper bound.
func CheckText(s string, min, max int) error {
	if !utf8.ValidString(s) {
		return errors.New("invalid utf-8")
	}
	for _, r := range s {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return errors.New("must not contain control characters")
		}
	}
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	if n == 0 && min > 0 {
		return errors.New("required")
	}
	if n < min {
		return fmt.Errorf("too short (min %d characters)", min)
	}
	if max >= 0 && n > max {
		return fmt.Errorf("too long (max %d characters)", max)
	}
	return nil
}
