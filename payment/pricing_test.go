package payment

import (
	"errors"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// assertLinesSum checks the invariant that the lines add up to the total.
func assertLinesSum(t *testing.T, q Quote) {
	t.Helper()
	sum := decimal.Zero
	for _, l := range q.Lines {
		sum = sum.Add(l.Amount)
		assert.True(t, l.Amount.Equal(l.Amount.Round(2)), "line %q amount %s not rounded to fen", l.Description, l.Amount)
	}
	assert.True(t, sum.Equal(q.Amount), "lines sum %s != amount %s", sum, q.Amount)
	assert.True(t, q.Amount.Equal(q.Amount.Round(2)), "amount %s not rounded to fen", q.Amount)
}

func TestQuote(t *testing.T) {
	flat := Pricing{PerRecord: d("50")}
	tests := []struct {
		name     string
		pricing  Pricing
		records  int
		want     string
		currency string
		lines    []QuoteLine
	}{
		{
			name: "flat per record", pricing: flat, records: 7, want: "350.00", currency: CNY,
			lines: []QuoteLine{{Description: "records 1-7", Records: 7, UnitPrice: d("50"), Amount: d("350")}},
		},
		{
			name: "flat single record", pricing: flat, records: 1, want: "50", currency: CNY,
			lines: []QuoteLine{{Description: "record 1", Records: 1, UnitPrice: d("50"), Amount: d("50")}},
		},
		{
			name: "default minimum applied", pricing: DefaultPricing(), records: 1, want: "300.00", currency: CNY,
			lines: []QuoteLine{
				{Description: "record 1", Records: 1, UnitPrice: d("200"), Amount: d("200")},
				{Description: "minimum charge top-up", UnitPrice: d("100"), Amount: d("100")},
			},
		},
		{
			name: "default minimum reached exactly", pricing: DefaultPricing(), records: 2, want: "400.00", currency: CNY,
			lines: []QuoteLine{{Description: "records 1-2", Records: 2, UnitPrice: d("200"), Amount: d("400")}},
		},
		{
			name: "default 10 records end of tier 1", pricing: DefaultPricing(), records: 10, want: "2000.00", currency: CNY,
			lines: []QuoteLine{{Description: "records 1-10", Records: 10, UnitPrice: d("200"), Amount: d("2000")}},
		},
		{
			name: "default 11 records first of tier 2", pricing: DefaultPricing(), records: 11, want: "2150.00", currency: CNY,
			lines: []QuoteLine{
				{Description: "records 1-10", Records: 10, UnitPrice: d("200"), Amount: d("2000")},
				{Description: "record 11", Records: 1, UnitPrice: d("150"), Amount: d("150")},
			},
		},
		{
			name: "default 100 records end of tier 2", pricing: DefaultPricing(), records: 100, want: "15500.00", currency: CNY,
			lines: []QuoteLine{
				{Description: "records 1-10", Records: 10, UnitPrice: d("200"), Amount: d("2000")},
				{Description: "records 11-100", Records: 90, UnitPrice: d("150"), Amount: d("13500")},
			},
		},
		{
			name: "default 101 records into unbounded tier", pricing: DefaultPricing(), records: 101, want: "15600.00", currency: CNY,
			lines: []QuoteLine{
				{Description: "records 1-10", Records: 10, UnitPrice: d("200"), Amount: d("2000")},
				{Description: "records 11-100", Records: 90, UnitPrice: d("150"), Amount: d("13500")},
				{Description: "record 101", Records: 1, UnitPrice: d("100"), Amount: d("100")},
			},
		},
		{
			name: "default max records", pricing: DefaultPricing(), records: 1000, want: "105500.00", currency: CNY,
		},
		{
			name:    "base fee with flat price",
			pricing: Pricing{Currency: "USD", Base: d("25.50"), PerRecord: d("10")}, records: 3, want: "55.50", currency: "USD",
			lines: []QuoteLine{
				{Description: "base fee", UnitPrice: d("25.50"), Amount: d("25.50")},
				{Description: "records 1-3", Records: 3, UnitPrice: d("10"), Amount: d("30")},
			},
		},
		{
			name:    "base fee counts towards minimum",
			pricing: Pricing{Base: d("100"), PerRecord: d("20"), Minimum: d("150")}, records: 2, want: "150", currency: CNY,
			lines: []QuoteLine{
				{Description: "base fee", UnitPrice: d("100"), Amount: d("100")},
				{Description: "records 1-2", Records: 2, UnitPrice: d("20"), Amount: d("40")},
				{Description: "minimum charge top-up", UnitPrice: d("10"), Amount: d("10")},
			},
		},
		{
			name:    "fractional unit price rounds half up",
			pricing: Pricing{PerRecord: d("0.333")}, records: 3, want: "1.00", currency: CNY,
			lines: []QuoteLine{{Description: "records 1-3", Records: 3, UnitPrice: d("0.333"), Amount: d("1.00")}},
		},
		{
			name:    "exact half fen rounds up not to even",
			pricing: Pricing{PerRecord: d("0.125")}, records: 1, want: "0.13", currency: CNY,
		},
		{
			name:    "half fen rounds up from even digit",
			pricing: Pricing{PerRecord: d("0.005")}, records: 9, want: "0.05", currency: CNY, // 0.045 -> 0.05
		},
		{
			name:    "fractional base and minimum rounded",
			pricing: Pricing{Base: d("0.005"), Minimum: d("1.005")}, records: 1, want: "1.01", currency: CNY,
			lines: []QuoteLine{
				{Description: "base fee", UnitPrice: d("0.01"), Amount: d("0.01")},
				{Description: "record 1", Records: 1, UnitPrice: d("0"), Amount: d("0")},
				{Description: "minimum charge top-up", UnitPrice: d("1.00"), Amount: d("1.00")},
			},
		},
		{
			name:    "rounded per tier so lines sum to total",
			pricing: Pricing{Tiers: []Tier{{UpTo: 1, PerRecord: d("0.005")}, {PerRecord: d("0.005")}}}, records: 2, want: "0.02", currency: CNY,
		},
		{
			name:    "bounded last tier exactly covered",
			pricing: Pricing{Tiers: []Tier{{UpTo: 2, PerRecord: d("1")}, {UpTo: 5, PerRecord: d("2")}}}, records: 5, want: "8", currency: CNY,
		},
		{
			name:    "zero pricing",
			pricing: Pricing{}, records: 5, want: "0", currency: CNY,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := tt.pricing.Quote(tt.records)
			require.NoError(t, err)
			assert.Equal(t, tt.records, q.Records)
			assert.Equal(t, tt.currency, q.Currency)
			assert.True(t, q.Amount.Equal(d(tt.want)), "amount = %s, want %s", q.Amount, tt.want)
			assert.True(t, q.Equal(d(tt.want), tt.currency))
			assertLinesSum(t, q)
			if tt.lines != nil {
				require.Len(t, q.Lines, len(tt.lines))
				for i, want := range tt.lines {
					got := q.Lines[i]
					assert.Equal(t, want.Description, got.Description, "line %d", i)
					assert.Equal(t, want.Records, got.Records, "line %d", i)
					assert.True(t, want.UnitPrice.Equal(got.UnitPrice), "line %d unit price %s, want %s", i, got.UnitPrice, want.UnitPrice)
					assert.True(t, want.Amount.Equal(got.Amount), "line %d amount %s, want %s", i, got.Amount, want.Amount)
				}
			}
		})
	}
}

func TestQuoteLinesSumAllCounts(t *testing.T) {
	pricings := map[string]Pricing{
		"default": DefaultPricing(),
		"odd": {
			Base:    d("3.333"),
			Tiers:   []Tier{{UpTo: 3, PerRecord: d("0.335")}, {UpTo: 7, PerRecord: d("1.005")}, {PerRecord: d("0.0049")}},
			Minimum: d("4.444"),
		},
	}
	for name, p := range pricings {
		t.Run(name, func(t *testing.T) {
			for n := 1; n <= p.maxRecords(); n++ {
				q, err := p.Quote(n)
				require.NoError(t, err)
				assertLinesSum(t, q)
				assert.False(t, q.Amount.LessThan(p.Minimum.Round(2)), "n=%d below minimum", n)
				recs := 0
				for _, l := range q.Lines {
					recs += l.Records
				}
				assert.Equal(t, n, recs, "n=%d", n)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		pricing Pricing
		wantErr bool
	}{
		{name: "zero value", pricing: Pricing{}},
		{name: "default", pricing: DefaultPricing()},
		{name: "other currency", pricing: Pricing{Currency: "EUR", PerRecord: d("1")}},
		{name: "bounded last tier", pricing: Pricing{Tiers: []Tier{{UpTo: 5, PerRecord: d("1")}}}},
		{name: "single unbounded tier", pricing: Pricing{Tiers: []Tier{{PerRecord: d("1")}}}},
		{name: "negative base", pricing: Pricing{Base: d("-0.01")}, wantErr: true},
		{name: "negative per record", pricing: Pricing{PerRecord: d("-1")}, wantErr: true},
		{name: "negative minimum", pricing: Pricing{Minimum: d("-300")}, wantErr: true},
		{name: "negative tier price", pricing: Pricing{Tiers: []Tier{{UpTo: 10, PerRecord: d("1")}, {PerRecord: d("-1")}}}, wantErr: true},
		{name: "negative max records", pricing: Pricing{MaxRecords: -1}, wantErr: true},
		{name: "negative tier bound", pricing: Pricing{Tiers: []Tier{{UpTo: -5, PerRecord: d("1")}}}, wantErr: true},
		{name: "equal tier bounds", pricing: Pricing{Tiers: []Tier{{UpTo: 10, PerRecord: d("2")}, {UpTo: 10, PerRecord: d("1")}}}, wantErr: true},
		{name: "decreasing tier bounds", pricing: Pricing{Tiers: []Tier{{UpTo: 10, PerRecord: d("2")}, {UpTo: 5, PerRecord: d("1")}, {PerRecord: d("1")}}}, wantErr: true},
		{name: "unbounded non-last tier", pricing: Pricing{Tiers: []Tier{{PerRecord: d("2")}, {UpTo: 10, PerRecord: d("1")}}}, wantErr: true},
		{name: "two unbounded tiers", pricing: Pricing{Tiers: []Tier{{PerRecord: d("2")}, {PerRecord: d("1")}}}, wantErr: true},
		{name: "lower-case currency", pricing: Pricing{Currency: "cny"}, wantErr: true},
		{name: "short currency", pricing: Pricing{Currency: "CN"}, wantErr: true},
		{name: "long currency", pricing: Pricing{Currency: "CNYY"}, wantErr: true},
		{name: "non-letter currency", pricing: Pricing{Currency: "C1Y"}, wantErr: true},
		{name: "non-ASCII currency", pricing: Pricing{Currency: "ÇNY"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.pricing.Validate()
			if !tt.wantErr {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidPricing)
			assert.NotErrorIs(t, err, ErrInvalidCount)
			assert.NotEqual(t, ErrInvalidPricing.Error(), err.Error(), "error should carry detail")

			// Quote must refuse invalid pricing with the same sentinel.
			_, qerr := tt.pricing.Quote(1)
			assert.ErrorIs(t, qerr, ErrInvalidPricing)
		})
	}
}

func TestQuoteInvalidCount(t *testing.T) {
	bounded := Pricing{Tiers: []Tier{{UpTo: 5, PerRecord: d("1")}}}
	tests := []struct {
		name    string
		pricing Pricing
		records int
	}{
		{name: "zero", pricing: DefaultPricing(), records: 0},
		{name: "negative", pricing: DefaultPricing(), records: -1},
		{name: "above default max", pricing: DefaultPricing(), records: DefaultMaxRecords + 1},
		{name: "above implicit default max", pricing: Pricing{PerRecord: d("1")}, records: DefaultMaxRecords + 1},
		{name: "above custom max", pricing: Pricing{PerRecord: d("1"), MaxRecords: 20}, records: 21},
		{name: "beyond bounded last tier", pricing: bounded, records: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := tt.pricing.Quote(tt.records)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidCount)
			assert.NotErrorIs(t, err, ErrInvalidPricing)
			assert.Equal(t, Quote{}, q)
		})
	}

	t.Run("custom max is inclusive", func(t *testing.T) {
		q, err := Pricing{PerRecord: d("1"), MaxRecords: 20}.Quote(20)
		require.NoError(t, err)
		assert.True(t, q.Equal(d("20"), CNY))
	})
}

func TestQuoteEqual(t *testing.T) {
	q, err := Pricing{PerRecord: d("0.333")}.Quote(3)
	require.NoError(t, err)
	tests := []struct {
		name     string
		amount   decimal.Decimal
		currency string
		want     bool
	}{
		{name: "exact", amount: d("1.00"), currency: CNY, want: true},
		{name: "different scale", amount: d("1"), currency: CNY, want: true},
		{name: "no rounding: within half a fen is not equal", amount: d("0.995"), currency: CNY, want: false},
		{name: "rounds to other fen", amount: d("0.994"), currency: CNY, want: false},
		{name: "one fen off", amount: d("1.01"), currency: CNY, want: false},
		{name: "other currency", amount: d("1.00"), currency: "USD", want: false},
		{name: "currency case-sensitive", amount: d("1.00"), currency: "cny", want: false},
		{name: "empty currency is not CNY", amount: d("1.00"), currency: "", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, q.Equal(tt.amount, tt.currency))
		})
	}
}

func TestFormatAmount(t *testing.T) {
	tests := []struct {
		amount   decimal.Decimal
		currency string
		want     string
	}{
		{d("1234.5"), CNY, "1234.50 CNY"},
		{d("0"), "USD", "0.00 USD"},
		{d("0.125"), CNY, "0.13 CNY"},
		{d("100"), "", "100.00 CNY"},
		{decimal.Decimal{}, CNY, "0.00 CNY"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, FormatAmount(tt.amount, tt.currency))
		})
	}
}

func TestDefaultPricing(t *testing.T) {
	p := DefaultPricing()
	require.NoError(t, p.Validate())
	assert.Equal(t, CNY, p.Currency)
	assert.True(t, p.Minimum.Equal(d("300")))
	assert.Equal(t, DefaultMaxRecords, p.MaxRecords)

	// Each call returns an independent copy.
	p.Tiers[0].PerRecord = d("1")
	assert.True(t, DefaultPricing().Tiers[0].PerRecord.Equal(d("200")))
}

func TestErrorsAreDistinct(t *testing.T) {
	assert.False(t, errors.Is(ErrInvalidPricing, ErrInvalidCount))
	assert.False(t, errors.Is(ErrInvalidCount, ErrInvalidPricing))
}

func TestQuoteEqualIsExact(t *testing.T) {
	q, err := DefaultPricing().Quote(1) // the 300.00 minimum
	require.NoError(t, err)
	for _, tc := range []struct {
		amount, currency string
		want             bool
	}{
		{"300", "CNY", true},
		{"300.00", "CNY", true},
		{"300.000", "CNY", true},
		{"299.995", "CNY", false},
		{"300.004", "CNY", false},
		{"300.01", "CNY", false},
		{"300.00", "USD", false},
	} {
		assert.Equal(t, tc.want, q.Equal(d(tc.amount), tc.currency), "%s %s", tc.amount, tc.currency)
	}
}

func TestValidAmount(t *testing.T) {
	for s, want := range map[string]bool{"300": true, "300.5": true, "300.50": true, "300.000": true, "299.995": false, "0.001": false, "-1.25": true} {
		assert.Equal(t, want, ValidAmount(d(s)), s)
	}
}
