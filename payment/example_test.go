package payment_test

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/payment"
)

func ExamplePricing_Quote() {
	q, err := payment.DefaultPricing().Quote(101)
	if err != nil {
		panic(err)
	}
	for _, l := range q.Lines {
		fmt.Printf("%-16s %3d x %-7s = %s\n", l.Description, l.Records, l.UnitPrice.StringFixed(2), payment.FormatAmount(l.Amount, q.Currency))
	}
	fmt.Println("total:", payment.FormatAmount(q.Amount, q.Currency))
	// Output:
	// records 1-10      10 x 200.00  = 2000.00 CNY
	// records 11-100    90 x 150.00  = 13500.00 CNY
	// record 101         1 x 100.00  = 100.00 CNY
	// total: 15600.00 CNY
}

func ExamplePricing_Quote_minimum() {
	q, err := payment.DefaultPricing().Quote(1)
	if err != nil {
		panic(err)
	}
	for _, l := range q.Lines {
		fmt.Println(l.Description, payment.FormatAmount(l.Amount, q.Currency))
	}
	fmt.Println("total:", payment.FormatAmount(q.Amount, q.Currency))
	// Output:
	// record 1 200.00 CNY
	// minimum charge top-up 100.00 CNY
	// total: 300.00 CNY
}

func ExamplePricing_Quote_flat() {
	p := payment.Pricing{
		Currency:  "USD",
		Base:      decimal.RequireFromString("5.00"),
		PerRecord: decimal.RequireFromString("0.333"),
	}
	q, err := p.Quote(3)
	if err != nil {
		panic(err)
	}
	fmt.Println(payment.FormatAmount(q.Amount, q.Currency))
	fmt.Println(q.Equal(decimal.RequireFromString("6"), "USD"))
	// Output:
	// 6.00 USD
	// true
}

func ExamplePricing_Quote_invalidCount() {
	_, err := payment.DefaultPricing().Quote(0)
	fmt.Println(errors.Is(err, payment.ErrInvalidCount))
	fmt.Println(err)
	// Output:
	// true
	// payment: invalid record count: 0 not in 1..1000
}

func ExamplePricing_Validate() {
	p := payment.Pricing{
		Tiers: []payment.Tier{
			{UpTo: 0, PerRecord: decimal.RequireFromString("100")},
			{UpTo: 10, PerRecord: decimal.RequireFromString("50")},
		},
	}
	err := p.Validate()
	fmt.Println(errors.Is(err, payment.ErrInvalidPricing))
	fmt.Println(err)
	// Output:
	// true
	// payment: invalid pricing: tier 1: only the last tier may be unbounded
}

func ExampleFormatAmount() {
	fmt.Println(payment.FormatAmount(decimal.RequireFromString("1234.5"), payment.CNY))
	// Output: 1234.50 CNY
}

func ExampleQuote_Equal() {
	q, _ := payment.DefaultPricing().Quote(11) // 2150.00 CNY
	fmt.Println(q.Equal(decimal.RequireFromString("2150"), "CNY"))
	fmt.Println(q.Equal(decimal.RequireFromString("2150"), "cny"))
	fmt.Println(q.Equal(decimal.RequireFromString("2149.995"), "CNY"))
	// Output:
	// true
	// false
	// false
}
