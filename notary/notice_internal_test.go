package notary

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"pgregory.net/rapid"
)

func TestMoneyMatchesStringFixed(t *testing.T) {
	for _, s := range []string{"0", "0.00", "300", "300.00", "0.05", "-0.05", "-12.3", "12.345", "12.355",
		"1e3", "15e2", "999999999999999.99", "9999999999999999.99", "-9223372036854775.80", "123456789012345678901234567890"} {
		d := decimal.RequireFromString(s)
		assert.Equal(t, d.StringFixed(2), money(d), s)
	}
	assert.Equal(t, "0.00", money(decimal.Decimal{}))
	rapid.Check(t, func(t *rapid.T) {
		d := decimal.New(rapid.Int64().Draw(t, "coefficient"), rapid.Int32Range(-6, 4).Draw(t, "exponent"))
		if got, want := money(d), d.StringFixed(2); got != want {
			t.Fatalf("money(%s) = %s, StringFixed(2) = %s", d, got, want)
		}
	})
}
