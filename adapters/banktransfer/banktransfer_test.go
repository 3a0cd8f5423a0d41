package banktransfer_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/banktransfer"
	"github.com/notarykit/notarykit/notary"
)

var account = notary.BankAccount{Name: "深圳市示例公证处", Bank: "中国银行深圳分行", Number: "7551 2345 6789"}

func request(id uuid.UUID) notary.PaymentRequest {
	return notary.PaymentRequest{IdempotencyKey: "k", ApplicationID: id, OfficeID: uuid.New(),
		Amount: decimal.RequireFromString("300.00"), Currency: "CNY", Method: notary.MethodBankTransfer,
		Payee: account, Reference: notary.TransferReference(id)}
}

func TestCreatePaymentGivesInstructions(t *testing.T) {
	g := banktransfer.New()
	id := uuid.New()
	p, err := g.CreatePayment(context.Background(), request(id))
	require.NoError(t, err)
	assert.Equal(t, banktransfer.Provider, p.Provider)
	assert.Equal(t, notary.TransferReference(id), p.ID)
	assert.Equal(t, id, p.ApplicationID)
	assert.Equal(t, notary.PaymentPending, p.Status)
	assert.True(t, p.Amount.Equal(decimal.RequireFromString("300")))
	require.NotNil(t, p.Transfer)
	assert.Equal(t, notary.TransferInstructions{Account: account, Reference: notary.TransferReference(id)}, *p.Transfer)

	again, err := g.CreatePayment(context.Background(), request(id))
	require.NoError(t, err)
	assert.Equal(t, p, again, "the same request, the same payment")
}

func TestCreatePaymentRefusals(t *testing.T) {
	g := banktransfer.New()
	for name, c := range map[string]struct {
		mutate func(*notary.PaymentRequest)
		field  string
	}{
		"wallet request":    {func(r *notary.PaymentRequest) { r.Method = notary.MethodWallet }, "method"},
		"no payee":          {func(r *notary.PaymentRequest) { r.Payee = notary.BankAccount{} }, "payee.name"},
		"bad number":        {func(r *notary.PaymentRequest) { r.Payee.Number = "12-34" }, "payee.number"},
		"other reference":   {func(r *notary.PaymentRequest) { r.Reference = notary.TransferReference(uuid.New()) }, "reference"},
		"missing reference": {func(r *notary.PaymentRequest) { r.Reference = "" }, "reference"},
	} {
		r := request(uuid.New())
		c.mutate(&r)
		_, err := g.CreatePayment(context.Background(), r)
		require.ErrorIs(t, err, notary.ErrInvalidInput, name)
		var fe *notary.FieldError
		require.True(t, errors.As(err, &fe), name)
		assert.Equal(t, c.field, fe.Field, name)
	}
}

func TestCloseQueryRefundNotify(t *testing.T) {
	g := banktransfer.New()
	ctx := context.Background()
	id := uuid.New()
	ref := notary.TransferReference(id)
	p, err := g.QueryPayment(ctx, ref)
	require.NoError(t, err)
	assert.Equal(t, notary.PaymentPending, p.Status)
	assert.Equal(t, id, p.ApplicationID)
	p, err = g.ClosePayment(ctx, ref)
	require.NoError(t, err)
	assert.Equal(t, notary.PaymentCancelled, p.Status, "closing is local")
	_, err = g.ClosePayment(ctx, "pay_1")
	assert.ErrorIs(t, err, notary.ErrNotFound)
	_, err = g.QueryPayment(ctx, "pay_1")
	assert.ErrorIs(t, err, notary.ErrNotFound)
	_, err = g.Refund(ctx, notary.RefundRequest{PaymentID: ref})
	assert.ErrorIs(t, err, notary.ErrPermanent, "finance pays refunds back")
	_, err = g.VerifyNotification(ctx, nil, []byte(`{}`))
	assert.ErrorIs(t, err, notary.ErrForbidden)
}
