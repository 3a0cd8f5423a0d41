package notary

import (
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/payment"
)

// User is an enterprise user of the host platform. The host authenticates
// the user and passes this value to every user-side call; the SDK trusts it
// as the caller's identity and authorizes every action against it. Its
// fields are text the SDK stores (in the records the user owns and the
// audit events the user causes): valid UTF-8 without control characters,
// the ID 1 to 128 characters and the name at most 200, or the call fails
// with ErrInvalidInput naming user.id or user.name (a missing ID is
// ErrForbidden).
type User struct {
	ID     string // the host's stable account ID
	Email  string // where email notices go
	Name   string // display name used in notices
	Locale string // "zh-CN" or "en"; empty means the office default
}

// Principal is who calls a method that either side may call, such as
// Filings.Get or Audit.Trail: a User (an enterprise user the host
// authenticated) or an Admin (a notary admin with a live session). The
// lifecycle decides what each may see and do.
//
// Principal is sealed: its method is unexported, so only User and Admin
// (and the SDK's own internal principals) implement it, and passing an
// AdminAccount, an audit Actor or any other value fails to compile. Go's
// method sets let *User and *Admin compile too; they act as the value
// they point to. A nil Principal (or nil pointer) compiles, as any nil
// interface does, and is refused with ErrForbidden.
type Principal interface {
	isPrincipal()
}

func (User) isPrincipal()  {}
func (Admin) isPrincipal() {}

// Role is a notary admin's role.
type Role string

// Admin roles: reviewers review; supervisors also manage admin accounts;
// RoleFinance handles money. What each may do is the table in roles.go.
const (
	RoleReviewer   Role = "reviewer"
	RoleSupervisor Role = "supervisor"
)

// Admin is an authenticated notary admin as returned by the admin login
// unit. Review actions take an Admin and check that it belongs to the office.
type Admin struct {
	ID        uuid.UUID
	OfficeID  uuid.UUID
	Email     string
	Name      string
	Role      Role
	SessionID string // hex SHA-256 of the session token
	// SessionExpiresAt is when the session ends however busy it is (set by
	// Login and Authenticate), e.g. for a cookie's Expires. An idle session
	// ends earlier, after AdminPolicy.SessionIdle.
	SessionExpiresAt time.Time
}

// ActorKind says who performed an action in the audit trail.
type ActorKind string

// Actor kinds.
const (
	ActorUser   ActorKind = "user"
	ActorAdmin  ActorKind = "admin"
	ActorSystem ActorKind = "system"
)

// Actor identifies who performed an audited action.
type Actor struct {
	Kind ActorKind `json:"kind"`
	ID   string    `json:"id"`             // user ID, admin ID or system component name
	Name string    `json:"name,omitempty"` // display name or email at the time
}

// Document references a file the host stores. The SDK never holds the bytes.
type Document struct {
	URI       string `json:"uri"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"` // 64 hex characters
}

// IDType is the kind of identity document of a natural person.
type IDType string

// Identity document types.
const (
	IDResident IDType = "resident_id" // PRC resident identity card (GB 11643-1999)
	IDPassport IDType = "passport"
	IDHKMO     IDType = "hk_mo_permit" // Mainland travel permit for HK and Macao residents
	IDTaiwan   IDType = "tw_permit"    // Mainland travel permit for Taiwan residents
)

// Person is a natural person named in a filing.
type Person struct {
	Name     string `json:"name"`
	IDType   IDType `json:"id_type"`
	IDNumber string `json:"id_number"`
	// IDLookup is the blind index of the ID type and number: a keyed hash
	// (Config.Blinder) stored beside the sealed number so that
	// Filings.ByIDNumber finds a person without opening anything. The
	// domain sets it when it seals the filing; reads leave it empty.
	IDLookup string `json:"id_lookup,omitempty"`
}

// Agent is the person acting for the enterprise when it is not the legal
// representative, with the power of attorney (授权委托证明) and the agent's
// identity document.
type Agent struct {
	Person          Person   `json:"person"`
	PowerOfAttorney Document `json:"power_of_attorney"`
	IDDocument      Document `json:"id_document"`
}

// FilingContent is what an enterprise files (企业备案).
type FilingContent struct {
	EnterpriseName  string   `json:"enterprise_name"`
	CreditCode      string   `json:"credit_code"` // 统一社会信用代码, GB 32100-2015
	BusinessLicense Document `json:"business_license"`
	LegalRep        Person   `json:"legal_rep"`
	LegalRepID      Document `json:"legal_rep_id"` // the legal representative's identity document
	ContactAddress  string   `json:"contact_address"`
	ContactEmail    string   `json:"contact_email"`
	ContactPhone    string   `json:"contact_phone"`
	Agent           *Agent   `json:"agent,omitempty"`
}

// Filing is an enterprise filing record with its lifecycle state.
type Filing struct {
	ID       uuid.UUID
	OfficeID uuid.UUID
	Owner    User
	State    FilingState
	Version  int64 // optimistic-concurrency version, 1 after submit

	// Revision numbers the contents filed: 1 for the first submission, +1
	// for each resubmission and amendment. Every revision's content is kept
	// (Filings.Revisions); Content is the latest.
	Revision int
	Content  FilingContent // the revision under review (or approved/rejected)

	// Approved is the revision in force, if any. It stays in force while an
	// amendment is under review or after the amendment is rejected.
	Approved         *FilingContent
	ApprovedRevision int

	Reason    string // reason of the last rejection
	AuditHead string // hash of the last audit event
	CreatedAt time.Time
	UpdatedAt time.Time
}

// InForce reports whether the filing has an approved revision in force.
func (f Filing) InForce() bool { return f.Approved != nil }

// FilingRevision is one content an enterprise filed: the first submission,
// a resubmission after a rejection, or an amendment. Revisions are stored
// with the transition that files them and never change afterwards, except
// that erasure and resealing rewrite their sealed personal fields (as they
// do the filing's).
type FilingRevision struct {
	FilingID    uuid.UUID
	OfficeID    uuid.UUID
	Number      int           // the filing's Revision when it was filed: 1, 2, 3…
	Trigger     FilingTrigger // FilingSubmit, FilingResubmit or FilingAmend
	Content     FilingContent
	SubmittedAt time.Time
	SubmittedBy Actor
}

// Evidence references an evidence record of the host platform.
type Evidence struct {
	ID     string `json:"id"` // the host's evidence record ID
	Title  string `json:"title"`
	SHA256 string `json:"sha256"` // digest of the evidence, 64 hex characters
}

// Shipment is a courier consignment: the paper materials the user mails to
// the office, or the certificate the office mails back.
type Shipment struct {
	Carrier        string    `json:"carrier"`
	TrackingNumber string    `json:"tracking_number"`
	At             time.Time `json:"at"`
	// Tracking is what the courier last reported, as recorded by
	// Applications.Track; nil until the courier first reports a status.
	Tracking *Tracking `json:"tracking,omitempty"`
}

// Tracking is a consignment's status as the courier reported it, kept with
// the application and shown to the user and the office. Each change is an
// audited transition (triggers AppTrackMaterials, AppMaterialsDelivered,
// AppTrackCertificate, AppCertificateDelivered).
type Tracking struct {
	State TrackingState `json:"state"`
	// DeliveredAt is when the consignment was signed for; zero until then.
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
	// Events is the courier's scan history, oldest first; at most
	// MaxTrackingEvents, the newest kept.
	Events []TrackingEvent `json:"events,omitempty"`
	// UpdatedAt is when this status was recorded.
	UpdatedAt time.Time `json:"updated_at"`
}

// MaxTrackingEvents bounds the scans kept per consignment.
const MaxTrackingEvents = 50

// Delivered reports whether the consignment was signed for.
func (t *Tracking) Delivered() bool { return t != nil && t.State == TrackingDelivered }

// PaymentStatus is the provider-side status of a payment.
type PaymentStatus string

// Payment statuses.
const (
	PaymentPending   PaymentStatus = "pending"
	PaymentSucceeded PaymentStatus = "succeeded"
	PaymentFailed    PaymentStatus = "failed"
	PaymentCancelled PaymentStatus = "cancelled"
	PaymentExpired   PaymentStatus = "expired"
)

// PaymentMethod is how a user pays an application's fee.
type PaymentMethod string

// Payment methods.
const (
	// MethodWallet pays through Config.Payments, a wallet provider with a
	// checkout and signed notices (WeChat Pay, Alipay). The zero value.
	MethodWallet PaymentMethod = ""
	// MethodBankTransfer pays by corporate bank transfer (对公转账) through
	// Config.BankTransfer: the user transfers the fee to the office's
	// account with the application's reference in the note, and finance
	// records the transfer when the bank shows it (Finance.RecordTransfer).
	MethodBankTransfer PaymentMethod = "bank_transfer"
)

// Valid reports whether m is a payment method.
func (m PaymentMethod) Valid() bool { return m == MethodWallet || m == MethodBankTransfer }

// TransferInstructions is what a payer needs to pay by bank transfer: the
// office's account and the reference to write in the transfer's note.
type TransferInstructions struct {
	Account   BankAccount `json:"account"`
	Reference string      `json:"reference"` // TransferReference of the application
}

// PaymentRef is the application's view of its payment at the provider.
type PaymentRef struct {
	Provider    string        `json:"provider"`
	ID          string        `json:"id"`           // provider payment ID
	CheckoutURL string        `json:"checkout_url"` // where the user pays, if the provider has one
	Status      PaymentStatus `json:"status"`
	PaidAt      time.Time     `json:"paid_at,omitzero"`
	// Method is how the fee is paid; MethodWallet unless the user chose a
	// bank transfer.
	Method PaymentMethod `json:"method,omitempty"`
	// Transfer is, for a bank transfer, where to transfer and what to
	// write in the note, as given when the application was made.
	Transfer *TransferInstructions `json:"transfer,omitempty"`
	// Serial is the bank serial number (流水号) of the transfer that paid
	// the fee, as finance recorded it; empty for a wallet payment.
	Serial string `json:"serial,omitempty"`
}

// Refund records money returned to the user.
type Refund struct {
	ID       string          `json:"id"` // provider refund ID; for a bank transfer, the outgoing transfer's serial
	Amount   decimal.Decimal `json:"amount"`
	Currency string          `json:"currency"`
	Reason   string          `json:"reason"`
	At       time.Time       `json:"at"`
}

// DutyRetry is the record a sweep keeps of a background duty failing on
// one application, so that the application backs off instead of costing
// every sweep, and so that operators and users see it (a refund pending,
// with its attempts and last error).
type DutyRetry struct {
	Duty      string    `json:"duty"`       // SweepExpire, SweepAutoConfirm, SweepCloseOrder, SweepRefund, …
	Attempts  int       `json:"attempts"`   // failed attempts so far
	Since     time.Time `json:"since"`      // the first failure
	LastError string    `json:"last_error"` // the latest failure
	NextAt    time.Time `json:"next_at"`    // not tried again before then
	// Permanent: the failure cannot pass by itself (the provider does not
	// know the payment, the amounts disagree); the sweep stops trying and
	// an operator must act (Applications.Stuck lists these).
	Permanent bool `json:"permanent"`
}

// Application is a notarial-certificate application (公证书申请).
type Application struct {
	ID       uuid.UUID
	OfficeID uuid.UUID
	Owner    User
	State    ApplicationState
	Version  int64

	FilingID       uuid.UUID
	FilingRevision int
	Evidence       []Evidence
	Quote          payment.Quote
	Payment        PaymentRef
	IdempotencyKey string // the client's key, unique per (office, owner) when set

	Materials         *Shipment // latest paper-materials consignment (user → office)
	MaterialsAttempts int       // how many times materials were submitted
	CertificateNumber string
	Certificate       *Shipment // certificate consignment (office → user)
	Reason            string    // reason of the last rejection or cancellation
	Refund            *Refund
	// Retry is set while a background duty of Sweep keeps failing on the
	// application (a refund that has not gone through, an order that will
	// not close, a payment that cannot be reconciled): what failed, how
	// often, and when it is tried next. Any transition clears it.
	Retry *DutyRetry
	// Invoice is the invoice (发票) of the fee the enterprise asked for, and
	// where it stands (see InvoiceLifecycle); nil until one is asked for.
	Invoice *Invoice

	AuditHead string
	CreatedAt time.Time
	UpdatedAt time.Time
	ExpiresAt time.Time // payment deadline while AwaitingPayment
}

// EvidenceIDs returns the IDs of the application's evidence records.
func (a Application) EvidenceIDs() []string {
	ids := make([]string, len(a.Evidence))
	for i, e := range a.Evidence {
		ids[i] = e.ID
	}
	return ids
}

// RecordKind names the kind of record an event or notice refers to.
type RecordKind string

// Record kinds.
const (
	KindFiling      RecordKind = "filing"
	KindApplication RecordKind = "application"
	KindAdmin       RecordKind = "admin"
)

// Event is one entry of the append-only audit trail. The events of a record
// form a hash chain: Hash = SHA-256(PrevHash ‖ canonical encoding).
type Event struct {
	ID         uuid.UUID
	RecordID   uuid.UUID
	RecordKind RecordKind
	OfficeID   uuid.UUID
	Seq        int64 // 1, 2, 3… within the record
	Trigger    string
	From       string
	To         string
	Actor      Actor
	Reason     string
	At         time.Time
	PrevHash   string // hex; empty for Seq 1
	Hash       string // hex
}
