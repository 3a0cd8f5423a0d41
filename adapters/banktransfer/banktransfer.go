// Package banktransfer is the corporate bank transfer (对公转账) payment
// method as a notary.PaymentGateway: the gateway a host puts in
// notary.Config.BankTransfer.
//
// A bank transfer has no provider to call: the payer's bank moves the
// money, and the office's finance staff see it on the account's statement
// and record it (notary.Finance.RecordTransfer). So the gateway is offline.
// Creating a payment answers the office's account (notary.Office.BankAccount,
// passed in the request) and the application's payment reference
// (notary.TransferReference) for the transfer's note; closing one is local
// (nothing can stop a bank transfer, and a transfer that arrives after the
// application was cancelled is kept for finance as an unmatched one); there
// are no notifications to verify and no refunds to ask for (finance pays a
// refund back by transfer and records it).
//
// The gateway keeps no state: the payment's ID is the reference, which
// names the application by itself. Racing Apply calls with one idempotency
// key each get a payment for their own application, and the store's unique
// idempotency key lets one application win, so nothing is paid twice.
package banktransfer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/notarykit/notarykit/notary"
)

// Provider is the provider name of bank transfer payments
// (notary.PaymentRef.Provider).
const Provider = "bank_transfer"

// Gateway is the bank transfer notary.PaymentGateway. The zero value is
// ready to use.
type Gateway struct{}

// New returns a bank transfer gateway.
func New() *Gateway { return &Gateway{} }

var _ notary.PaymentGateway = (*Gateway)(nil)

// CreatePayment answers the transfer instructions of r's application: the
// payee account r carries and the application's reference, which is also
// the payment's ID. Errors: ErrInvalidInput naming "method" (not a bank
// transfer request), "payee.*" (an invalid account) or "reference" (not
// the application's).
func (g *Gateway) CreatePayment(_ context.Context, r notary.PaymentRequest) (notary.Payment, error) {
	if r.Method != notary.MethodBankTransfer {
		return notary.Payment{}, &notary.FieldError{Field: "method", Reason: fmt.Sprintf("the bank transfer gateway takes %q requests, not %q", notary.MethodBankTransfer, r.Method)}
	}
	if err := r.Payee.Validate(); err != nil {
		var fe *notary.FieldError
		if errors.As(err, &fe) {
			return notary.Payment{}, &notary.FieldError{Field: "payee." + strings.TrimPrefix(fe.Field, "bank_account."), Reason: fe.Reason}
		}
		return notary.Payment{}, err
	}
	if ref := notary.TransferReference(r.ApplicationID); r.Reference != ref {
		return notary.Payment{}, &notary.FieldError{Field: "reference", Reason: fmt.Sprintf("%q is not application %s's reference", r.Reference, r.ApplicationID)}
	}
	return notary.Payment{
		Provider: Provider, ID: r.Reference, ApplicationID: r.ApplicationID,
		Amount: r.Amount, Currency: r.Currency, Status: notary.PaymentPending,
		Transfer: &notary.TransferInstructions{Account: r.Payee, Reference: r.Reference},
	}, nil
}

// QueryPayment answers a payment pending: only finance knows whether the
// transfer came, and it records it with the service. ErrNotFound for an ID
// that is no payment reference.
func (g *Gateway) QueryPayment(_ context.Context, paymentID string) (notary.Payment, error) {
	id, err := notary.ParseTransferReference(paymentID)
	if err != nil {
		return notary.Payment{}, fmt.Errorf("%w: bank transfer %q: %v", notary.ErrNotFound, paymentID, err)
	}
	return notary.Payment{Provider: Provider, ID: paymentID, ApplicationID: id, Status: notary.PaymentPending}, nil
}

// ClosePayment closes the payment locally: it is returned cancelled.
// ErrNotFound for an ID that is no payment reference.
func (g *Gateway) ClosePayment(ctx context.Context, paymentID string) (notary.Payment, error) {
	p, err := g.QueryPayment(ctx, paymentID)
	if err != nil {
		return notary.Payment{}, err
	}
	p.Status = notary.PaymentCancelled
	return p, nil
}

// Refund refuses: a bank transfer is refunded by finance, who transfers
// the money back and records it (notary.Finance.RecordRefund). The error
// wraps notary.ErrPermanent.
func (g *Gateway) Refund(_ context.Context, r notary.RefundRequest) (notary.Refund, error) {
	return notary.Refund{}, fmt.Errorf("%w: bank transfer %s: refunds are transferred back by finance and recorded, not asked of a provider",
		notary.ErrPermanent, r.PaymentID)
}

// VerifyNotification refuses every notification: banks send none to this
// gateway. The error wraps notary.ErrForbidden.
func (g *Gateway) VerifyNotification(context.Context, http.Header, []byte) (notary.PaymentEvent, error) {
	return notary.PaymentEvent{}, fmt.Errorf("%w: the bank transfer gateway receives no notifications", notary.ErrForbidden)
}
