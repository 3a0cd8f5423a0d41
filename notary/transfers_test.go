package notary_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment"
)

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, notary.ErrInvalidInput)
	var fe *notary.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, field, fe.Field, fe.Reason)
}

// TestTransferReference: every application ID round-trips through its
// reference as a payer may type it, and every single mistyped character
// is caught by the check character.
func TestTransferReference(t *testing.T) {
	ids := []uuid.UUID{uuid.Nil, uuid.Max, uuid.MustParse("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")}
	for range 50 {
		ids = append(ids, uuid.Must(uuid.NewV7()))
	}
	for _, id := range ids {
		ref := notary.TransferReference(id)
		require.Len(t, ref, 29)
		require.True(t, strings.HasPrefix(ref, "NK"))
		for _, typed := range []string{ref, strings.ToLower(ref), " " + ref[:9] + "-" + ref[9:18] + " " + ref[18:] + " "} {
			got, err := notary.ParseTransferReference(typed)
			require.NoError(t, err, typed)
			require.Equal(t, id, got)
		}
		const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
		for i := 2; i < len(ref); i++ {
			for _, c := range alphabet {
				if byte(c) == ref[i] {
					continue
				}
				typo := ref[:i] + string(c) + ref[i+1:]
				_, err := notary.ParseTransferReference(typo)
				requireField(t, err, "reference")
			}
		}
	}
	for _, bad := range []string{"", "NK", "XX" + notary.TransferReference(uuid.Nil)[2:], notary.TransferReference(uuid.Nil) + "0",
		"NK" + strings.Repeat("I", 27), "NK" + strings.Repeat("Z", 27)} {
		_, err := notary.ParseTransferReference(bad)
		requireField(t, err, "reference")
	}
}

func TestBankAccountValidate(t *testing.T) {
	ok := notary.BankAccount{Name: "深圳市公证处", Bank: "中国工商银行深圳福田支行", Number: "4000 0210 0920 0123 456"}
	require.NoError(t, ok.Validate())
	for _, tc := range []struct {
		field string
		edit  func(*notary.BankAccount)
	}{
		{"bank_account.name", func(b *notary.BankAccount) { b.Name = " " }},
		{"bank_account.bank", func(b *notary.BankAccount) { b.Bank = "" }},
		{"bank_account.number", func(b *notary.BankAccount) { b.Number = "1234567" }},
		{"bank_account.number", func(b *notary.BankAccount) { b.Number = "4000-0210-0920" }},
		{"bank_account.number", func(b *notary.BankAccount) { b.Number = strings.Repeat("1", 33) }},
	} {
		b := ok
		tc.edit(&b)
		requireField(t, b.Validate(), tc.field)
	}
}

// TestCheckTransfer: a received transfer is judged field by field, and
// must pay the quote to the fen.
func TestCheckTransfer(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	quote := payment.Quote{Records: 1, Currency: payment.CNY, Amount: decimal.RequireFromString("300.00")}
	good := notary.ReceivedTransfer{Serial: " icbc-20260302-000123 ", PayerName: " 深圳市某某科技有限公司 ",
		Amount: decimal.RequireFromString("300"), Date: now.Add(-24 * time.Hour)}

	got, err := notary.CheckTransfer(good, now)
	require.NoError(t, err)
	require.Equal(t, "ICBC-20260302-000123", got.Serial)
	require.Equal(t, "深圳市某某科技有限公司", got.PayerName)
	require.Equal(t, payment.CNY, got.Currency)
	require.NoError(t, notary.MatchQuote(quote, got))
	require.Equal(t, "bank-transfer:ICBC-20260302-000123", notary.TransferDedupKey(got.Serial))

	for _, tc := range []struct {
		name, field string
		edit        func(*notary.ReceivedTransfer)
	}{
		{"serial too short", "serial", func(r *notary.ReceivedTransfer) { r.Serial = "1234567" }},
		{"serial with spaces", "serial", func(r *notary.ReceivedTransfer) { r.Serial = "ICBC 2026 0302" }},
		{"serial trailing hyphen", "serial", func(r *notary.ReceivedTransfer) { r.Serial = "ICBC2026-" }},
		{"serial too long", "serial", func(r *notary.ReceivedTransfer) { r.Serial = strings.Repeat("9", 65) }},
		{"serial not ascii", "serial", func(r *notary.ReceivedTransfer) { r.Serial = "流水号12345678" }},
		{"no payer", "payer_name", func(r *notary.ReceivedTransfer) { r.PayerName = "  " }},
		{"no date", "date", func(r *notary.ReceivedTransfer) { r.Date = time.Time{} }},
		{"future date", "date", func(r *notary.ReceivedTransfer) { r.Date = now.Add(time.Hour) }},
		{"fraction of a fen", "amount", func(r *notary.ReceivedTransfer) { r.Amount = decimal.RequireFromString("299.995") }},
		{"zero", "amount", func(r *notary.ReceivedTransfer) { r.Amount = decimal.Zero }},
		{"negative", "amount", func(r *notary.ReceivedTransfer) { r.Amount = decimal.RequireFromString("-300") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := good
			tc.edit(&r)
			_, err := notary.CheckTransfer(r, now)
			requireField(t, err, tc.field)
		})
	}

	for _, tc := range []struct {
		amount, currency, field, says string
	}{
		{"299.99", "CNY", "amount", "short by 0.01 CNY"},
		{"300.01", "CNY", "amount", "over by 0.01 CNY"},
		{"3000.00", "CNY", "amount", "over by 2700.00 CNY"},
		{"300.00", "USD", "currency", "quoted CNY"},
	} {
		r := good
		r.Amount, r.Currency = decimal.RequireFromString(tc.amount), tc.currency
		r, err := notary.CheckTransfer(r, now)
		require.NoError(t, err)
		err = notary.MatchQuote(quote, r)
		requireField(t, err, tc.field)
		require.Contains(t, err.Error(), tc.says)
	}
}
