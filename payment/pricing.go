package payment

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
)

// CNY is the ISO 4217 code of the Chinese yuan, the default currency used
// when [Pricing.Currency] is empty.
const CNY = "CNY"

// DefaultMaxRecords is the maximum number of records per application used
// when [Pricing.MaxRecords] is zero.
const DefaultMaxRecords = 1000

// moneyPlaces is the number of decimal places money is rounded to (fen).
const moneyPlaces = 2

// ErrInvalidPricing reports that a [Pricing] is malformed. Errors returned by
// [Pricing.Validate] and [Pricing.Quote] wrap it with details; match it with
// errors.Is.
var ErrInvalidPricing = errors.New("payment: invalid pricing")

// ErrInvalidCount reports that a record count cannot be quoted: it is below
// 1, above the pricing's maximum, or beyond the range covered by bounded
// tiers. Errors returned by [Pricing.Quote] wrap it with details; match it
// with errors.Is.
var ErrInvalidCount = errors.New("payment: invalid record count")

// Tier is one band of graduated pricing.
type Tier struct {
	// UpTo is the inclusive upper bound on the record number this tier
	// covers. The tier starts right after the previous tier's UpTo (or at
	// record 1 for the first tier). 0 means unbounded and is allowed only on
	// the last tier.
	UpTo int
	// PerRecord is the price of each record inside this tier.
	PerRecord decimal.Decimal
}

// Pricing is a tariff for notarial certificate applications. The zero value
// is valid and prices everything at 0 CNY.
type Pricing struct {
	// Currency is an ISO 4217 code (three upper-case ASCII letters).
	// The empty string means CNY.
	Currency string
	// Base is a fixed fee charged once per application (may be zero).
	Base decimal.Decimal
	// PerRecord is the flat price per record, used only when Tiers is empty.
	PerRecord decimal.Decimal
	// Tiers defines graduated pricing: records 1..Tiers[0].UpTo are charged
	// at Tiers[0].PerRecord, the following ones up to Tiers[1].UpTo at
	// Tiers[1].PerRecord, and so on. If the last tier is bounded, counts
	// beyond its UpTo cannot be quoted.
	Tiers []Tier
	// Minimum is the minimum charge for the whole application (base fee
	// included). When the computed total is lower, a top-up line is added.
	Minimum decimal.Decimal
	// MaxRecords is the largest record count that can be quoted.
	// 0 means DefaultMaxRecords.
	MaxRecords int
}

// DefaultPricing returns the standard tariff: no base fee, records 1–10 at
// 200.00, records 11–100 at 150.00, records beyond 100 at 100.00, a minimum
// charge of 300.00, in CNY, with at most DefaultMaxRecords records.
func DefaultPricing() Pricing {
	return Pricing{
		Currency: CNY,
		Base:     decimal.Zero,
		Tiers: []Tier{
			{UpTo: 10, PerRecord: decimal.RequireFromString("200.00")},
			{UpTo: 100, PerRecord: decimal.RequireFromString("150.00")},
			{UpTo: 0, PerRecord: decimal.RequireFromString("100.00")},
		},
		Minimum:    decimal.RequireFromString("300.00"),
		MaxRecords: DefaultMaxRecords,
	}
}

// currency returns the effective currency code.
func (p Pricing) currency() string {
	if p.Currency == "" {
		return CNY
	}
	return p.Currency
}

// maxRecords returns the effective maximum record count.
func (p Pricing) maxRecords() int {
	if p.MaxRecords == 0 {
		return DefaultMaxRecords
	}
	return p.MaxRecords
}

// Validate checks that p is well formed: the currency is empty or three
// upper-case ASCII letters, all amounts are non-negative, MaxRecords is
// non-negative, tier bounds are positive and strictly increasing, and only
// the last tier may be unbounded (UpTo == 0). The returned error wraps
// [ErrInvalidPricing].
func (p Pricing) Validate() error {
	if !validCurrency(p.Currency) {
		return fmt.Errorf("%w: currency %q is not a 3-letter upper-case ISO 4217 code", ErrInvalidPricing, p.Currency)
	}
	if p.Base.IsNegative() {
		return fmt.Errorf("%w: negative base fee %s", ErrInvalidPricing, p.Base)
	}
	if p.PerRecord.IsNegative() {
		return fmt.Errorf("%w: negative per-record price %s", ErrInvalidPricing, p.PerRecord)
	}
	if p.Minimum.IsNegative() {
		return fmt.Errorf("%w: negative minimum charge %s", ErrInvalidPricing, p.Minimum)
	}
	if p.MaxRecords < 0 {
		return fmt.Errorf("%w: negative max records %d", ErrInvalidPricing, p.MaxRecords)
	}
	prev := 0
	for i, t := range p.Tiers {
		if t.PerRecord.IsNegative() {
			return fmt.Errorf("%w: tier %d: negative per-record price %s", ErrInvalidPricing, i+1, t.PerRecord)
		}
		switch {
		case t.UpTo == 0:
			if i != len(p.Tiers)-1 {
				return fmt.Errorf("%w: tier %d: only the last tier may be unbounded", ErrInvalidPricing, i+1)
			}
		case t.UpTo < 0:
			return fmt.Errorf("%w: tier %d: negative upper bound %d", ErrInvalidPricing, i+1, t.UpTo)
		case t.UpTo <= prev:
			return fmt.Errorf("%w: tier %d: upper bound %d not greater than previous %d", ErrInvalidPricing, i+1, t.UpTo, prev)
		}
		prev = t.UpTo
	}
	return nil
}

// validCurrency reports whether c is empty or three upper-case ASCII letters.
func validCurrency(c string) bool {
	if c == "" {
		return true
	}
	if len(c) != 3 {
		return false
	}
	for i := 0; i < len(c); i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

// QuoteLine is one item of a [Quote].
type QuoteLine struct {
	// Description is a human-readable label, e.g. "records 11-100".
	Description string
	// Records is the number of records charged on this line (0 for the
	// base fee and minimum top-up lines).
	Records int
	// UnitPrice is the unrounded price per record for tier lines; for the
	// base fee and minimum top-up lines it equals Amount.
	UnitPrice decimal.Decimal
	// Amount is the line total, rounded to 2 decimal places (half up).
	Amount decimal.Decimal
}

// Quote is the itemised price of an application.
type Quote struct {
	// Records is the number of records quoted.
	Records int
	// Currency is the effective ISO 4217 currency code (never empty).
	Currency string
	// Lines holds, in order: the base fee line (when Base is non-zero), one
	// line per tier used (a single line for flat pricing), and the minimum
	// top-up line (when the minimum charge applies).
	Lines []QuoteLine
	// Amount is the total: the exact sum of the line amounts, so it is
	// always rounded to 2 decimal places.
	Amount decimal.Decimal
}

// Quote prices an application with the given number of records. records
// must be in 1..MaxRecords (and, when the last tier is bounded, not beyond
// its UpTo), otherwise the error wraps [ErrInvalidCount]. If p is invalid
// the error wraps [ErrInvalidPricing].
//
// Each line amount is rounded to the fen with round-half-up
// (decimal.Round(2)); the total is the sum of the rounded lines. If that
// total is below Minimum (rounded to the fen), a top-up line brings it up to
// the minimum.
func (p Pricing) Quote(records int) (Quote, error) {
	if err := p.Validate(); err != nil {
		return Quote{}, err
	}
	if limit := p.maxRecords(); records < 1 || records > limit {
		return Quote{}, fmt.Errorf("%w: %d not in 1..%d", ErrInvalidCount, records, limit)
	}

	q := Quote{Records: records, Currency: p.currency()}
	if !p.Base.IsZero() {
		base := p.Base.Round(moneyPlaces)
		q.Lines = append(q.Lines, QuoteLine{Description: "base fee", UnitPrice: base, Amount: base})
	}

	if len(p.Tiers) == 0 {
		q.Lines = append(q.Lines, recordLine(1, records, p.PerRecord))
	} else {
		first := 1
		for _, t := range p.Tiers {
			if first > records {
				break
			}
			last := records
			if t.UpTo != 0 && t.UpTo < last {
				last = t.UpTo
			}
			q.Lines = append(q.Lines, recordLine(first, last, t.PerRecord))
			first = last + 1
		}
		if first <= records {
			return Quote{}, fmt.Errorf("%w: %d exceeds the last tier bound %d", ErrInvalidCount, records, first-1)
		}
	}

	total := sumLines(q.Lines)
	if minimum := p.Minimum.Round(moneyPlaces); total.LessThan(minimum) {
		topUp := minimum.Sub(total)
		q.Lines = append(q.Lines, QuoteLine{Description: "minimum charge top-up", UnitPrice: topUp, Amount: topUp})
		total = minimum
	}
	q.Amount = total
	return q, nil
}

// recordLine builds the line for records first..last at unit price each.
func recordLine(first, last int, unit decimal.Decimal) QuoteLine {
	n := last - first + 1
	desc := fmt.Sprintf("records %d-%d", first, last)
	if n == 1 {
		desc = fmt.Sprintf("record %d", first)
	}
	return QuoteLine{
		Description: desc,
		Records:     n,
		UnitPrice:   unit,
		Amount:      unit.Mul(decimal.NewFromInt(int64(n))).Round(moneyPlaces),
	}
}

// sumLines adds up the line amounts.
func sumLines(lines []QuoteLine) decimal.Decimal {
	total := decimal.Zero
	for _, l := range lines {
		total = total.Add(l.Amount)
	}
	return total
}

// Equal reports whether amount is exactly q's total, by value (300 equals
// 300.00; 299.995 does not equal 300.00: nothing is rounded), and q is in
// currency (compared case-sensitively).
func (q Quote) Equal(amount decimal.Decimal, currency string) bool {
	return q.Currency == currency && q.Amount.Equal(amount)
}

// ValidAmount reports whether amount is a money amount: at most 2 decimal
// places (the fen). 300, 300.5 and 300.50 are; 299.995 is not.
func ValidAmount(amount decimal.Decimal) bool {
	return amount.Equal(amount.Truncate(moneyPlaces))
}

// FormatAmount formats amount with exactly 2 decimal places (rounded half
// up) followed by the currency code, e.g. "1234.50 CNY". An empty currency
// is shown as CNY.
func FormatAmount(amount decimal.Decimal, currency string) string {
	if currency == "" {
		currency = CNY
	}
	return amount.StringFixed(moneyPlaces) + " " + currency
}
