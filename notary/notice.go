package notary

import (
	"time"

	"github.com/google/uuid"
)

// NoticeKind names what a notice says. Each kind has a template per locale
// in package notify.
type NoticeKind string

// Notice kinds, one per row of SPEC's "Who is told what".
const (
	// Office notices.
	NoticeFilingReview      NoticeKind = "filing.review_requested"       // a filing waits for review
	NoticePreliminaryReview NoticeKind = "application.review_requested"  // a preliminary review waits
	NoticeFinalReview       NoticeKind = "materials.review_requested"    // a final review waits
	NoticeReceiptConfirmed  NoticeKind = "certificate.receipt_confirmed" // the user confirmed receipt
	NoticeMaterialsArrived  NoticeKind = "materials.arrived"             // the courier delivered the paper materials
	NoticeInvoiceRequested  NoticeKind = "invoice.requested"             // an invoice request waits for finance

	// User notices.
	NoticeFilingApproved  NoticeKind = "filing.approved"
	NoticeFilingRejected  NoticeKind = "filing.rejected"
	NoticePaymentReceived NoticeKind = "application.paid"
	NoticePaymentFailed   NoticeKind = "payment.failed" // you may pay again before the deadline
	// NoticeTransferInstructions tells a user who chose to pay by bank
	// transfer where to transfer, what to write in the note and by when.
	NoticeTransferInstructions NoticeKind = "payment.transfer_instructions"
	NoticeCancelled            NoticeKind = "application.cancelled"
	NoticePreliminaryApproved  NoticeKind = "preliminary.approved" // 初审通过告知书
	NoticePreliminaryRejected  NoticeKind = "preliminary.rejected" // 初审未过通知书
	NoticeMaterialsReceived    NoticeKind = "materials.registered"
	NoticeFinalRejected        NoticeKind = "final.rejected" // 审核未过告知书
	NoticeInProduction         NoticeKind = "certificate.in_production"
	NoticeShipped              NoticeKind = "certificate.shipped"
	NoticeCompleted            NoticeKind = "application.completed"
	NoticeRefunded             NoticeKind = "payment.refunded"
	NoticeCertificateDelivered NoticeKind = "certificate.delivered" // with the auto-confirmation date
	NoticeInvoiceIssued        NoticeKind = "invoice.issued"
	NoticeInvoiceRejected      NoticeKind = "invoice.rejected" // the user may ask again
	NoticeInvoiceReversed      NoticeKind = "invoice.reversed" // a reversing (红字) invoice cancels the invoice
)

// NoticeKinds lists every notice kind.
var NoticeKinds = []NoticeKind{
	NoticeFilingReview, NoticePreliminaryReview, NoticeFinalReview, NoticeReceiptConfirmed,
	NoticeFilingApproved, NoticeFilingRejected, NoticePaymentReceived, NoticeCancelled,
	NoticePreliminaryApproved, NoticePreliminaryRejected, NoticeMaterialsReceived,
	NoticeFinalRejected, NoticeInProduction, NoticeShipped, NoticeCompleted, NoticeRefunded,
	NoticeMaterialsArrived, NoticeCertificateDelivered, NoticePaymentFailed,
	NoticeInvoiceRequested, NoticeInvoiceIssued, NoticeInvoiceRejected, NoticeInvoiceReversed,
	NoticeTransferInstructions,
}

// Channel is how a notice reaches its recipient.
type Channel string

// Channels. Every user notice goes to both; every office notice by email.
const (
	ChannelEmail  Channel = "email"
	ChannelInSite Channel = "insite"
)

// Recipient is who a notice is for: a user (UserID set) or the office's
// admin mailbox (UserID empty).
type Recipient struct {
	UserID string `json:"user_id,omitempty"`
	Email  string `json:"email,omitempty"`
	Name   string `json:"name,omitempty"`
	Locale string `json:"locale,omitempty"`
	// Endpoint names the host endpoint (see HostEndpoint) a notice on
	// ChannelHost is delivered to; "" for the event itself, the entry the
	// catch-up listing shows. Empty on every other channel.
	Endpoint string `json:"endpoint,omitempty"`
}

// NoticeData is what a notice's template may show.
type NoticeData struct {
	OfficeName        string     `json:"office_name,omitempty"`
	RecordID          uuid.UUID  `json:"record_id"`
	EnterpriseName    string     `json:"enterprise_name,omitempty"`
	Revision          int        `json:"revision,omitempty"`
	Reason            string     `json:"reason,omitempty"`
	Evidence          []Evidence `json:"evidence,omitempty"`
	Amount            string     `json:"amount,omitempty"` // fixed two decimals
	Currency          string     `json:"currency,omitempty"`
	Materials         []string   `json:"materials,omitempty"`
	MailingAddress    string     `json:"mailing_address,omitempty"`
	Carrier           string     `json:"carrier,omitempty"`
	TrackingNumber    string     `json:"tracking_number,omitempty"`
	CertificateNumber string     `json:"certificate_number,omitempty"`
	Automatic         bool       `json:"automatic,omitempty"` // receipt confirmed automatically
	// DeliveredAt is when the courier delivered the consignment.
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
	// ConfirmBy is when receipt of a delivered certificate is confirmed
	// automatically; zero when it is not.
	ConfirmBy time.Time `json:"confirm_by,omitzero"`
	// The invoice: its type, title and taxpayer ID as asked for, its
	// number and issue date (YYYY-MM-DD) once issued, and the number and
	// date of the reversing (红字) invoice once reversed.
	InvoiceType    InvoiceType `json:"invoice_type,omitempty"`
	InvoiceTitle   string      `json:"invoice_title,omitempty"`
	TaxpayerID     string      `json:"taxpayer_id,omitempty"`
	InvoiceNumber  string      `json:"invoice_number,omitempty"`
	InvoiceDate    string      `json:"invoice_date,omitempty"`
	ReversalNumber string      `json:"reversal_number,omitempty"`
	ReversalDate   string      `json:"reversal_date,omitempty"`
	// The bank transfer: the office's account (name, bank, number), the
	// reference for the note, and the deadline.
	PayeeName         string    `json:"payee_name,omitempty"`
	PayeeBank         string    `json:"payee_bank,omitempty"`
	PayeeAccount      string    `json:"payee_account,omitempty"`
	TransferReference string    `json:"transfer_reference,omitempty"`
	PayBy             time.Time `json:"pay_by,omitzero"`
}

// NoticeStatus is where a notice is in the outbox.
type NoticeStatus string

// Notice statuses.
const (
	NoticePending   NoticeStatus = "pending"
	NoticeDelivered NoticeStatus = "delivered"
	NoticeDead      NoticeStatus = "dead"
)

// Notice is an outbox entry: one message to one recipient on one channel,
// committed atomically with the transition that caused it.
type Notice struct {
	ID         uuid.UUID
	OfficeID   uuid.UUID
	RecordID   uuid.UUID
	RecordKind RecordKind
	Kind       NoticeKind
	Channel    Channel
	To         Recipient
	Data       NoticeData
	// Event is the host event document of a notice on ChannelHost (see
	// HostEvent); nil on every other channel.
	Event     []byte
	CreatedAt time.Time

	// Delivery bookkeeping, owned by the outbox.
	Status        NoticeStatus
	Attempts      int
	NextAttemptAt time.Time
	Claim         uuid.UUID // current claim token; uuid.Nil when unclaimed
	LeaseUntil    time.Time
	LastError     string
	DeliveredAt   time.Time
}

// MessageID is the stable message ID of the notice, the same on every
// delivery attempt, so receivers can deduplicate (used as the email's
// Message-ID local part).
func (n Notice) MessageID() string { return n.ID.String() }

// NoticeOutcome is the result of one delivery attempt.
type NoticeOutcome struct {
	Status        NoticeStatus // Delivered, Pending (retry) or Dead
	NextAttemptAt time.Time    // when Status is Pending
	Error         string       // the failure, when not delivered
	At            time.Time    // when the attempt ended
}

// InboxMessage is a user's in-site message.
type InboxMessage struct {
	ID        uuid.UUID // the notice ID, so redelivery is idempotent
	OfficeID  uuid.UUID
	UserID    string
	Kind      NoticeKind
	RecordID  uuid.UUID
	Subject   string
	Body      string
	CreatedAt time.Time
	ReadAt    time.Time // zero while unread
}
