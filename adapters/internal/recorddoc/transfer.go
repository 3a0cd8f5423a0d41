package recorddoc

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/notary"
)

// transferDoc is the stored document of a kept bank transfer. Amounts are
// decimal strings (exact); times are RFC 3339 in UTC.
type transferDoc struct {
	ID            uuid.UUID    `json:"id"`
	OfficeID      uuid.UUID    `json:"office_id"`
	Serial        string       `json:"serial"`
	Reference     string       `json:"reference,omitempty"`
	PayerName     string       `json:"payer_name"`
	Amount        string       `json:"amount"`
	Currency      string       `json:"currency"`
	Date          time.Time    `json:"date"`
	Problem       string       `json:"problem"`
	Status        string       `json:"status"`
	RecordedBy    notary.Actor `json:"recorded_by"`
	RecordedAt    time.Time    `json:"recorded_at"`
	ApplicationID uuid.UUID    `json:"application_id,omitzero"`
	MatchedBy     notary.Actor `json:"matched_by,omitzero"`
	MatchedAt     time.Time    `json:"matched_at,omitzero"`
}

// EncodeTransfer returns the stored document of t.
func EncodeTransfer(t notary.BankTransfer) ([]byte, error) {
	r := t.Transfer
	b, err := json.Marshal(transferDoc{
		ID: t.ID, OfficeID: t.OfficeID, Serial: r.Serial, Reference: r.Reference, PayerName: r.PayerName,
		Amount: DecimalString(r.Amount), Currency: r.Currency, Date: r.Date.UTC(), Problem: string(t.Problem),
		Status: string(t.Status), RecordedBy: t.RecordedBy, RecordedAt: t.RecordedAt.UTC(),
		ApplicationID: t.ApplicationID, MatchedBy: t.MatchedBy, MatchedAt: t.MatchedAt.UTC(),
	})
	if err != nil {
		return nil, fmt.Errorf("recorddoc: encode transfer: %w", err)
	}
	return b, nil
}

// DecodeTransfer decodes a document written by EncodeTransfer; times come
// back in UTC.
func DecodeTransfer(b []byte) (notary.BankTransfer, error) {
	var d transferDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return notary.BankTransfer{}, fmt.Errorf("recorddoc: decode transfer: %w", err)
	}
	amount, err := decimal.NewFromString(d.Amount)
	if err != nil {
		return notary.BankTransfer{}, fmt.Errorf("recorddoc: decode transfer amount %q: %w", d.Amount, err)
	}
	utc := func(t time.Time) time.Time {
		if t.IsZero() {
			return time.Time{}
		}
		return t.UTC()
	}
	return notary.BankTransfer{
		ID: d.ID, OfficeID: d.OfficeID,
		Transfer: notary.ReceivedTransfer{Serial: d.Serial, Reference: d.Reference, PayerName: d.PayerName,
			Amount: amount, Currency: d.Currency, Date: utc(d.Date)},
		Problem: notary.TransferProblem(d.Problem), Status: notary.TransferStatus(d.Status),
		RecordedBy: d.RecordedBy, RecordedAt: utc(d.RecordedAt),
		ApplicationID: d.ApplicationID, MatchedBy: d.MatchedBy, MatchedAt: utc(d.MatchedAt),
	}, nil
}
