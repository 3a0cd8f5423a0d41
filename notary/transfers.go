package notary

import (
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/payment"
)

// This file holds the rules of corporate bank transfers (对公转账): the
// office's account shown to the payer, the payment reference the payer puts
// in the transfer note, and the checks on a transfer finance records as
// received. The rules are pure (no I/O) so that every way a transfer
// arrives (typed in by finance, imported from a bank statement) is judged
// by the same code.

// BankAccount is the office's account that enterprises transfer fees to.
type BankAccount struct {
	Name   string // account name (户名), e.g. the office's registered name
	Bank   string // bank and branch (开户行)
	Number string // account number (账号), digits; spaces are ignored
}

// Validate checks the account; errors are ErrInvalidInput naming
// "bank_account.name", "bank_account.bank" or "bank_account.number".
func (b BankAccount) Validate() error {
	if err := CheckText(strings.TrimSpace(b.Name), 1, 100); err != nil {
		return invalid("bank_account.name", "%v", err)
	}
	if err := CheckText(strings.TrimSpace(b.Bank), 1, 100); err != nil {
		return invalid("bank_account.bank", "%v", err)
	}
	if !accountNumber.MatchString(strings.ReplaceAll(b.Number, " ", "")) {
		return invalid("bank_account.number", "must be 8 to 32 digits")
	}
	return nil
}

var accountNumber = regexp.MustCompile(`^[0-9]{8,32}$`)

// referencePrefix starts every payment reference, so finance tells it
// apart from anything else a payer writes in the note.
const referencePrefix = "NK"

// referenceAlphabet is Crockford's base 32: no I, L, O or U, so a reference
// read aloud or retyped from a bank statement is not misread.
const referenceAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// TransferReference is the payment reference (付款附言) of the application
// with id: "NK", the 128-bit ID in 26 base-32 characters, and a check
// character (Luhn mod 32) that catches every single mistyped character and
// most swapped neighbours. It is unique per application and needs no
// lookup table: ParseTransferReference gives the ID back.
func TransferReference(id uuid.UUID) string {
	n := new(big.Int).SetBytes(id[:])
	body := make([]byte, 26)
	for i := len(body) - 1; i >= 0; i-- {
		body[i] = referenceAlphabet[n.Uint64()&31]
		n.Rsh(n, 5)
	}
	return referencePrefix + string(body) + string(referenceAlphabet[luhn32(body)])
}

// ParseTransferReference finds the application ID in a payment reference
// as a payer typed it (any case, spaces and hyphens ignored). Errors:
// ErrInvalidInput naming "reference" (wrong prefix, length, character or
// check character).
func ParseTransferReference(ref string) (uuid.UUID, error) {
	s := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(ref)))
	if !strings.HasPrefix(s, referencePrefix) || len(s) != len(referencePrefix)+27 {
		return uuid.Nil, invalid("reference", "must be %s followed by 27 characters", referencePrefix)
	}
	body, check := []byte(s[len(referencePrefix):len(s)-1]), s[len(s)-1]
	n := new(big.Int)
	for _, c := range body {
		v := strings.IndexByte(referenceAlphabet, c)
		if v < 0 {
			return uuid.Nil, invalid("reference", "character %q is not used in references", c)
		}
		n.Lsh(n, 5).Or(n, big.NewInt(int64(v)))
	}
	if referenceAlphabet[luhn32(body)] != check {
		return uuid.Nil, invalid("reference", "check character mismatch (mistyped?)")
	}
	if n.BitLen() > 128 {
		return uuid.Nil, invalid("reference", "out of range")
	}
	var id uuid.UUID
	n.FillBytes(id[:])
	return id, nil
}

// luhn32 is the Luhn mod N check value of body in referenceAlphabet.
func luhn32(body []byte) int {
	const base = 32
	sum, factor := 0, 2
	for i := len(body) - 1; i >= 0; i-- {
		v := strings.IndexByte(referenceAlphabet, body[i]) * factor
		sum += v/base + v%base
		factor = 3 - factor
	}
	return (base - sum%base) % base
}

// ReceivedTransfer is a bank transfer finance saw arrive on the office's
// account (from the bank's statement or online banking).
type ReceivedTransfer struct {
	Serial    string          // the bank's serial number (流水号)
	Reference string          // the payment reference in the note (may be empty or wrong)
	PayerName string          // the paying account's name (付款户名)
	Amount    decimal.Decimal // exact, at most two decimal places
	Currency  string          // ISO 4217; empty means CNY
	Date      time.Time       // the value date the bank reports
}

// bankSerial is the shape of a bank serial number: Chinese banks use 8 to
// 64 letters and digits, some with hyphens between groups.
var bankSerial = regexp.MustCompile(`^[0-9A-Z]+(-[0-9A-Z]+)*$`)

// NormalizeSerial returns a bank serial number as stored and compared:
// trimmed and upper-case. Errors: ErrInvalidInput naming field.
func NormalizeSerial(field, serial string) (string, error) {
	s := strings.ToUpper(strings.TrimSpace(serial))
	if len(s) < 8 || len(s) > 64 || !bankSerial.MatchString(s) {
		return "", invalid(field, "a bank serial number is 8 to 64 letters and digits (hyphens only between them), got %q", serial)
	}
	return s, nil
}

// TransferDedupKey is the Change.DedupKey of the payment success a
// received transfer makes: one per bank serial number, forever.
func TransferDedupKey(serial string) string { return "bank-transfer:" + serial }

// checkTransfer validates a received transfer as finance records it, at
// now (the service's clock), and returns it normalized. Errors:
// ErrInvalidInput naming "serial", "payer_name", "date", "currency" or
// "amount".
func checkTransfer(t ReceivedTransfer, now time.Time) (ReceivedTransfer, error) {
	var err error
	if t.Serial, err = NormalizeSerial("serial", t.Serial); err != nil {
		return t, err
	}
	t.PayerName = strings.TrimSpace(t.PayerName)
	if err := CheckText(t.PayerName, 1, 100); err != nil {
		return t, invalid("payer_name", "%v", err)
	}
	if t.Date.IsZero() {
		return t, invalid("date", "the transfer's value date is required")
	}
	if t.Date.After(now) {
		return t, invalid("date", "%s is in the future", t.Date.Format(time.DateOnly))
	}
	if t.Currency == "" {
		t.Currency = payment.CNY
	}
	if !payment.ValidAmount(t.Amount) || !t.Amount.IsPositive() {
		return t, invalid("amount", "%s is not a positive amount in fen", t.Amount)
	}
	return t, nil
}

// matchQuote checks that a transfer pays exactly the quote: the same
// currency and not one fen more or less. Errors: ErrInvalidInput naming
// "currency" or "amount" (saying by how much it is off).
func matchQuote(q payment.Quote, t ReceivedTransfer) error {
	if t.Currency != q.Currency {
		return invalid("currency", "transferred %s, quoted %s", t.Currency, q.Currency)
	}
	if q.Equal(t.Amount, t.Currency) {
		return nil
	}
	diff := t.Amount.Sub(q.Amount)
	word := "over"
	if diff.IsNegative() {
		word = "short"
	}
	return invalid("amount", "transferred %s, quoted %s: %s by %s", payment.FormatAmount(t.Amount, t.Currency),
		payment.FormatAmount(q.Amount, q.Currency), word, payment.FormatAmount(diff.Abs(), q.Currency))
}
