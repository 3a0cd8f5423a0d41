package mockpay

import (
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// Notification is the JSON body the provider posts to the host's notify URL
// when a payment changes state. The same event (same ID and body) is sent
// on every delivery attempt; only the signed headers change.
type Notification struct {
	// ID identifies the event; the host applies an event ID at most once.
	ID string `json:"id"`
	// Type is "payment." followed by Status, e.g. "payment.succeeded".
	Type          string               `json:"type"`
	PaymentID     string               `json:"payment_id"`
	ApplicationID uuid.UUID            `json:"application_id"` // PaymentRequest.ApplicationID
	Status        notary.PaymentStatus `json:"status"`         // succeeded, failed, expired or cancelled
	// Amount is the payment amount as a decimal string with two places,
	// e.g. "12.50"; never a JSON number, so no precision is lost.
	Amount   string    `json:"amount"`
	Currency string    `json:"currency"` // ISO 4217, e.g. "CNY"
	Time     time.Time `json:"time"`     // when the payment reached Status
}

// createPaymentRequest is the body of POST /api/payments.
type createPaymentRequest struct {
	IdempotencyKey string    `json:"idempotency_key,omitempty"`
	ApplicationID  uuid.UUID `json:"application_id"`
	OfficeID       uuid.UUID `json:"office_id,omitzero"`
	Amount         string    `json:"amount"`
	Currency       string    `json:"currency"`
	Description    string    `json:"description,omitempty"`
	ExpiresAt      time.Time `json:"expires_at,omitzero"`
}

// refundRequest is the body of POST /api/payments/{id}/refunds.
type refundRequest struct {
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	Amount         string `json:"amount"`
	Currency       string `json:"currency,omitempty"`
	Reason         string `json:"reason,omitempty"`
}

// paymentResource is a payment as the JSON API shows it.
type paymentResource struct {
	ID            string               `json:"id"`
	ApplicationID uuid.UUID            `json:"application_id"`
	OfficeID      uuid.UUID            `json:"office_id,omitzero"`
	Amount        string               `json:"amount"`
	Currency      string               `json:"currency"`
	Description   string               `json:"description,omitempty"`
	Status        notary.PaymentStatus `json:"status"`
	CheckoutURL   string               `json:"checkout_url"`
	CreatedAt     time.Time            `json:"created_at"`
	ExpiresAt     time.Time            `json:"expires_at,omitzero"`
	PaidAt        time.Time            `json:"paid_at,omitzero"`
	ClosedAt      time.Time            `json:"closed_at,omitzero"`
	Refunded      string               `json:"refunded"`
	Refunds       []refundResource     `json:"refunds"`
}

// refundResource is a refund as the JSON API shows it.
type refundResource struct {
	ID        string    `json:"id"`
	PaymentID string    `json:"payment_id"`
	Amount    string    `json:"amount"`
	Currency  string    `json:"currency"`
	Reason    string    `json:"reason,omitempty"`
	Status    string    `json:"status"` // always "succeeded"
	CreatedAt time.Time `json:"created_at"`
}

// apiError is the body of every non-2xx JSON API answer.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	// Payment is the payment an "order_paid" refusal to close is about.
	Payment *paymentResource `json:"payment,omitempty"`
}
