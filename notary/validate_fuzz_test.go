package notary

import (
	"net/mail"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// vidFuzzByte returns the i-th byte of data, cycling; 0 when data is empty.
func vidFuzzByte(data string, i int) byte {
	if data == "" {
		return 0
	}
	return data[i%len(data)]
}

// vidCreditOracle reports whether code is a valid credit code according to an
// independent re-statement of the rules checked by CheckCreditCode.
func vidCreditOracle(t *testing.T, code string) bool {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	if len(code) != 18 {
		return false
	}
	for i := 0; i < 18; i++ {
		if strings.IndexByte(alphabet, code[i]) < 0 {
			return false
		}
	}
	if !strings.ContainsRune("159Y", rune(code[0])) || code[1] == '0' {
		return false
	}
	for i := 2; i < 8; i++ {
		if !unicode.IsDigit(rune(code[i])) {
			return false
		}
	}
	return code[17] == testUSCCCheck(t, code[:17])
}

func FuzzCheckCreditCode(f *testing.F) {
	for _, s := range []string{
		"",
		"91110000100017643K",
		"914403001922038216",
		"91350100M000100Y4",
		"91110000100017643k",
		"9111000010001764\xff",
		strings.Repeat("Y", 18),
		"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		// Arbitrary input: no panic, and anything accepted satisfies the rules.
		if err := CheckCreditCode(data); err == nil && !vidCreditOracle(t, data) {
			t.Fatalf("accepted invalid credit code %q", data)
		} else if err != nil && vidCreditOracle(t, data) {
			t.Fatalf("rejected valid credit code %q: %v", data, err)
		}

		// Build a valid code from the input and check it is accepted, and that
		// every other check character is rejected.
		const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
		var b [17]byte
		b[0] = "159Y"[vidFuzzByte(data, 0)%4]
		b[1] = alphabet[1+int(vidFuzzByte(data, 1))%(len(alphabet)-1)]
		for i := 2; i < 8; i++ {
			b[i] = '0' + vidFuzzByte(data, i)%10
		}
		for i := 8; i < 17; i++ {
			b[i] = alphabet[int(vidFuzzByte(data, i))%len(alphabet)]
		}
		body := string(b[:])
		check := testUSCCCheck(t, body)
		if err := CheckCreditCode(body + string(check)); err != nil {
			t.Fatalf("rejected valid credit code %q: %v", body+string(check), err)
		}
		for i := 0; i < len(alphabet); i++ {
			if alphabet[i] == check {
				continue
			}
			if CheckCreditCode(body+string(alphabet[i])) == nil {
				t.Fatalf("accepted %q with wrong check character (want %q)", body+string(alphabet[i]), check)
			}
		}
		if lower := strings.ToLower(body + string(check)); lower != body+string(check) && CheckCreditCode(lower) == nil {
			t.Fatalf("accepted lower-case credit code %q", lower)
		}
	})
}

// vidResidentOracle reports whether id is a valid resident ID according to an
// independent re-statement of the rules checked by CheckResidentID.
func vidResidentOracle(t *testing.T, id string) bool {
	if len(id) != 18 {
		return false
	}
	for i := 0; i < 17; i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	birth, err := time.Parse("20060102", id[6:14])
	if err != nil || birth.Year() < 1900 {
		return false
	}
	return id[17] == testResidentIDCheck(t, id[:17])
}

func FuzzCheckResidentID(f *testing.F) {
	for _, s := range []string{
		"",
		"11010519491231002X",
		"11010519491231002x",
		"110105194902290011",
		"11010518991231001\xff",
		strings.Repeat("9", 18),
		"\x00\xff\x10\x80\x7f\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		if err := CheckResidentID(data); err == nil && !vidResidentOracle(t, data) {
			t.Fatalf("accepted invalid resident ID %q", data)
		} else if err != nil && vidResidentOracle(t, data) {
			t.Fatalf("rejected valid resident ID %q: %v", data, err)
		}

		// Build a valid ID: 6 region digits, a real date, 3 sequence digits.
		var region, seq [3]int
		for i := range region {
			region[i] = int(vidFuzzByte(data, i)) % 100
			seq[i] = int(vidFuzzByte(data, 3+i)) % 10
		}
		year := 1900 + (int(vidFuzzByte(data, 6))<<8|int(vidFuzzByte(data, 7)))%8100
		month := time.Month(1 + int(vidFuzzByte(data, 8))%12)
		// Day 0 of the next month is the last day of this month.
		days := time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
		day := 1 + int(vidFuzzByte(data, 9))%days
		body := vidTwoDigits(region[0]) + vidTwoDigits(region[1]) + vidTwoDigits(region[2]) +
			time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Format("20060102") +
			string(rune('0'+seq[0])) + string(rune('0'+seq[1])) + string(rune('0'+seq[2]))
		check := testResidentIDCheck(t, body)
		id := body + string(check)
		if err := CheckResidentID(id); err != nil {
			t.Fatalf("rejected valid resident ID %q: %v", id, err)
		}
		for _, c := range []byte("0123456789X") {
			if c != check && CheckResidentID(body+string(c)) == nil {
				t.Fatalf("accepted %q with wrong check character (want %q)", body+string(c), check)
			}
		}
		if check == 'X' && CheckResidentID(body+"x") == nil {
			t.Fatalf("accepted lower-case x in %q", body+"x")
		}

		// A correct check character does not rescue an impossible date.
		for _, date := range []string{
			"18991231",                      // before 1900
			body[6:10] + "13" + body[12:14], // month 13
			body[6:10] + "00" + body[12:14], // month 0
			body[6:12] + "00",               // day 0
			body[6:12] + vidTwoDigits(days+1+int(vidFuzzByte(data, 10))%(99-days)), // past month end
		} {
			bad := body[:6] + date + body[14:]
			if err := CheckResidentID(bad + string(testResidentIDCheck(t, bad))); err == nil {
				t.Fatalf("accepted impossible birth date in %q", bad+string(testResidentIDCheck(t, bad)))
			}
		}
	})
}

func vidTwoDigits(n int) string {
	return string([]byte{byte('0' + n/10%10), byte('0' + n%10)})
}

func FuzzCheckEmail(f *testing.F) {
	for _, s := range []string{
		"",
		"user@example.com",
		"Bob <bob@example.com>",
		"<bob@example.com>",
		`"a b"@example.com`,
		"bob@[192.0.2.1]",
		"用户@例子.中国",
		"a@b@c.d",
		"bob@example.com(comment)",
		"us\xffer@example.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		if CheckEmail(addr) != nil {
			return
		}
		if len(addr) > 254 || !utf8.ValidString(addr) {
			t.Fatalf("accepted over-long or invalid UTF-8 address %q", addr)
		}
		if strings.IndexFunc(addr, unicode.IsSpace) >= 0 || strings.Count(addr, "@") != 1 {
			t.Fatalf("accepted %q with whitespace or not exactly one @", addr)
		}
		parsed, err := mail.ParseAddress(addr)
		if err != nil {
			t.Fatalf("accepted %q but net/mail rejects it: %v", addr, err)
		}
		if parsed.Name != "" || parsed.Address != addr {
			t.Fatalf("accepted %q but it parses to name %q address %q", addr, parsed.Name, parsed.Address)
		}
		domain := addr[strings.IndexByte(addr, '@')+1:]
		if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
			t.Fatalf("accepted %q with bad domain %q", addr, domain)
		}
	})
}

func FuzzCheckMobile(f *testing.F) {
	for _, s := range []string{
		"",
		"13800138000",
		"+8613800138000",
		"12800138000",
		"1380013800\xff",
		"１3800138000",
		"99999999999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, phone string) {
		if CheckMobile(phone) == nil {
			if len(phone) != 11 || phone[0] != '1' || phone[1] < '3' || phone[1] > '9' {
				t.Fatalf("accepted %q", phone)
			}
			for _, r := range phone {
				if r < '0' || r > '9' {
					t.Fatalf("accepted %q with non-digit %q", phone, r)
				}
			}
		}

		// Build a valid number from the input and check it is accepted, and
		// that prefixed or truncated forms are rejected.
		b := []byte{'1', '3' + vidFuzzByte(phone, 0)%7}
		for i := 2; i < 11; i++ {
			b = append(b, '0'+vidFuzzByte(phone, i)%10)
		}
		valid := string(b)
		if err := CheckMobile(valid); err != nil {
			t.Fatalf("rejected valid mobile %q: %v", valid, err)
		}
		for _, bad := range []string{"+86" + valid, "86" + valid, valid[:10], valid + "0", valid[:3] + "-" + valid[3:]} {
			if CheckMobile(bad) == nil {
				t.Fatalf("accepted malformed mobile %q", bad)
			}
		}
	})
}
