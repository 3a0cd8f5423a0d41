package notary

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Store persists records, the audit trail, the outbox, the in-site inbox and
// admin accounts. It decides nothing: every business rule lives in this
// package, and a Store only applies a Change atomically and answers queries.
// Implementations: store.NewMemory, adapters/sqlite, adapters/postgres; every
// one passes the conformance suite in store/storetest.
type Store interface {
	Records
	Outbox
	Inbox
	AdminStore
	LogStore
	Nonces
	Transfers
}

// Nonces is the replay memory of signed messages (payment notices, and
// webhooks in the same scheme): payment/webhook's ReplayStore, which every
// Store is. Because it lives in the store, a notice replayed to another
// service instance, or after a restart, is refused like one replayed to the
// same process. The conformance group Nonces of store/storetest checks it.
type Nonces interface {
	// RememberNonce records nonce as seen until until and reports whether
	// it was new: false when nonce is remembered with an expiry after now.
	// Entries whose expiry is not after now are forgotten (the store prunes
	// them, and then treats the nonce as new). Of concurrent calls with one
	// nonce, in any number of processes sharing the store, at most one
	// returns true.
	RememberNonce(ctx context.Context, nonce string, until, now time.Time) (fresh bool, err error)
}

// Change is one lifecycle transition, applied by Records.Commit as a single
// atomic unit: the record's new state and version, its audit events, the
// notices it causes and the evidence it reserves or releases are all stored,
// or none is.
type Change struct {
	// Exactly one of Filing and Application is set: the record as it must be
	// stored, with Version already incremented.
	Filing      *Filing
	Application *Application
	// ExpectedVersion is the version the record had when it was read; the
	// commit fails with ErrConflict if the stored version differs. Zero
	// creates the record.
	ExpectedVersion int64
	Events          []Event
	Notices         []Notice
	// Reserve lists evidence IDs to reserve for Application; Release lists
	// evidence IDs whose reservation by Application ends.
	Reserve []string
	Release []string
	// DedupKey, when set, is recorded once and forever: a second Commit
	// carrying the same key fails with ErrDuplicate and changes nothing.
	// Used for provider payment event IDs.
	DedupKey string
	// Revision, only with Filing, is the content revision the change files,
	// appended to the filing's revisions: its Number is Filing.Revision and
	// it must not be stored yet (ErrConflict otherwise).
	Revision *FilingRevision
	// Rewrites, only with Filing, are stored revisions of the filing whose
	// Content the change replaces: erasure and resealing rewrite personal
	// fields of every revision in the same commit as the filing's. Only the
	// Content of a revision changes; one not stored is ErrNotFound.
	Rewrites []FilingRevision
	// Match, when set (only with Application), marks a kept unmatched bank
	// transfer as matched to Application in the same commit: ErrNotFound
	// when the office has no such transfer, ErrConflict when it is not
	// unmatched any more.
	Match *TransferMatch
}

// ListQuery selects records for queues and listings. Results are ordered by
// (CreatedAt, ID) ascending and paginated by keyset: pass the last item's
// CreatedAt and ID as After to get the next page.
type ListQuery struct {
	OfficeID      uuid.UUID
	OwnerID       string    // "" for every owner
	States        []string  // empty for every state
	CreatedBefore time.Time // zero for no bound
	UpdatedBefore time.Time // records updated strictly before it; zero for no bound
	UpdatedAfter  time.Time // records updated at or after it; zero for no bound
	// InvoiceStates selects applications whose invoice is in one of these
	// states (InvoiceState values; an application without an invoice is
	// in none); empty for no bound. Filings ignore it.
	InvoiceStates []string
	After         *Cursor
	Limit         int // <= 0 means DefaultLimit
}

// Cursor is a keyset pagination position.
type Cursor struct {
	CreatedAt time.Time
	ID        uuid.UUID
}

// Records stores filings, applications and their audit trails.
type Records interface {
	// Commit applies c atomically. It returns ErrConflict when the stored
	// version is not c.ExpectedVersion (or a created record's ID, or a
	// filing's (office, owner) pair, already exists), ErrNotFound when an
	// updated record does not exist, ErrEvidenceReserved when an evidence ID
	// in c.Reserve is held by another application, and ErrDuplicate when the
	// application's idempotency key or c.DedupKey was already used, and
	// c.Validate's ErrInvalidInput for a malformed change. On any error
	// nothing is changed.
	Commit(ctx context.Context, c Change) error
	// Filing returns the filing with id, or ErrNotFound.
	Filing(ctx context.Context, id uuid.UUID) (Filing, error)
	// FilingByOwner returns the user's filing at the office, or ErrNotFound.
	FilingByOwner(ctx context.Context, officeID uuid.UUID, ownerID string) (Filing, error)
	// Application returns the application with id, or ErrNotFound.
	Application(ctx context.Context, id uuid.UUID) (Application, error)
	// ApplicationByKey returns the owner's application created with the
	// idempotency key, or ErrNotFound.
	ApplicationByKey(ctx context.Context, officeID uuid.UUID, ownerID, key string) (Application, error)
	// ListFilings returns filings matching q.
	ListFilings(ctx context.Context, q ListQuery) ([]Filing, error)
	// ListApplications returns applications matching q.
	ListApplications(ctx context.Context, q ListQuery) ([]Application, error)
	// Reservations returns, for each of the evidence IDs currently reserved,
	// the ID of the application holding it.
	Reservations(ctx context.Context, evidenceIDs []string) (map[string]uuid.UUID, error)
	// Events returns the audit events of a record in Seq order (empty, not
	// an error, for an unknown record).
	Events(ctx context.Context, recordID uuid.UUID) ([]Event, error)
	// FilingRevisions returns the stored content revisions of a filing,
	// Number ascending, or ErrNotFound when no filing has id.
	FilingRevisions(ctx context.Context, filingID uuid.UUID) ([]FilingRevision, error)
	// FilingRevision returns revision number n of a filing, or ErrNotFound
	// when the filing or that revision is not stored.
	FilingRevision(ctx context.Context, filingID uuid.UUID, n int) (FilingRevision, error)
}

// Transfers keeps the bank transfers finance recorded that paid no
// application when they were recorded (see Finance.RecordTransfer), until
// finance matches them to one (a Change with Match) or they are handled
// otherwise. The conformance group Transfers of store/storetest checks it.
type Transfers interface {
	// KeepTransfer stores t, an unmatched transfer, together with the
	// dedup key TransferDedupKey(t.Transfer.Serial), atomically: a bank
	// serial number is recorded once, whether it paid an application or
	// was kept. ErrDuplicate when the key was used, ErrConflict when the
	// ID exists, t.Validate's ErrInvalidInput for a malformed transfer; on
	// any error nothing is stored.
	KeepTransfer(ctx context.Context, t BankTransfer) error
	// Transfer returns the kept transfer with id, or ErrNotFound.
	Transfer(ctx context.Context, id uuid.UUID) (BankTransfer, error)
	// ListTransfers returns the office's kept transfers selected by q,
	// ordered by (RecordedAt, ID) ascending and paginated by keyset (pass
	// the last item's RecordedAt and ID as q.After). q.Validate's
	// ErrInvalidInput for a malformed query.
	ListTransfers(ctx context.Context, q TransferQuery) ([]BankTransfer, error)
}

// Outbox holds notices committed with their transitions until a relay
// delivers them.
type Outbox interface {
	// ClaimNotices leases up to limit pending notices whose NextAttemptAt is
	// not after now and which are unclaimed or whose lease has expired,
	// oldest first. Each gets a fresh Claim token, LeaseUntil = now+lease,
	// and Attempts incremented: a claim counts as a delivery attempt, so a
	// relay that keeps crashing mid-delivery still reaches its attempt
	// limit. Concurrent callers never receive the same notice while its
	// lease holds.
	ClaimNotices(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Notice, error)
	// FinishNotices records the outcomes of delivery attempts of claimed
	// notices, all in one transaction, and releases their claims (see
	// NoticeResult for what each applies). A result is stale, and not
	// applied, when its notice is not currently claimed with its Claim —
	// the lease expired and another relay claimed the notice, or the
	// notice was already finished — or when its ID is unknown; FinishNotices
	// returns the IDs of stale results, in the order of results, and applies
	// every other result. Stale results are not an error.
	//
	// It returns an error only when the store fails or the call is
	// malformed (ErrInvalidInput: an outcome's Status is not pending,
	// delivered or dead, or an ID appears in more than one result), and
	// then applies nothing. No results is a no-op. (When the store fails while
	// committing, it may not know whether the transaction was applied;
	// calling again with the same results is safe, since results that were
	// applied then come back stale.)
	FinishNotices(ctx context.Context, results []NoticeResult) (stale []uuid.UUID, err error)
	// ListNotices returns notices in the given status, oldest first.
	ListNotices(ctx context.Context, status NoticeStatus, limit int) ([]Notice, error)
	// RequeueNotice makes a dead notice pending again, due at now.
	// ErrNotFound for an unknown ID, ErrInvalidTransition if it is not dead.
	RequeueNotice(ctx context.Context, id uuid.UUID, now time.Time) error
	// ListHostEvents returns the notices on ChannelHost (host events, and
	// their deliveries to host endpoints: To.Endpoint set) selected by q,
	// whatever their delivery status, in commit order: an
	// order in which a record's events follow its versions, and in which
	// an event committed after a listing comes after every event the
	// listing returned, so that paging with the last ID never skips one (a
	// store may hold back the newest events until the transactions that
	// could still commit before them have ended). An unknown q.After is
	// ErrNotFound; q.Validate's ErrInvalidInput for a malformed query.
	ListHostEvents(ctx context.Context, q HostEventQuery) ([]Notice, error)
}

// NoticeResult is the outcome of one delivery attempt of a notice claimed
// with Claim, for Outbox.FinishNotices. Applying it sets the notice's
// Status to Outcome.Status and LastError to Outcome.Error and clears Claim
// and LeaseUntil; a pending (retry) outcome makes the notice due at
// Outcome.NextAttemptAt, or at Outcome.At when that is zero; a delivered
// one sets DeliveredAt to Outcome.At. Delivered and dead outcomes leave
// NextAttemptAt unchanged, and no outcome changes Attempts.
type NoticeResult struct {
	ID      uuid.UUID
	Claim   uuid.UUID
	Outcome NoticeOutcome
}

// Inbox stores the in-site messages of users.
type Inbox interface {
	// AddInboxMessage stores m; storing the same ID again is a no-op, so
	// redelivery never duplicates a message.
	AddInboxMessage(ctx context.Context, m InboxMessage) error
	// ListInbox returns the user's messages at the office, newest first;
	// before, when non-nil, returns only messages older than that position.
	ListInbox(ctx context.Context, officeID uuid.UUID, userID string, before *Cursor, limit int) ([]InboxMessage, error)
	// UnreadCount counts the user's unread messages at the office.
	UnreadCount(ctx context.Context, officeID uuid.UUID, userID string) (int, error)
	// MarkRead marks the user's messages read at time at: those with the
	// given IDs, or all of them when ids is empty. IDs of other users'
	// messages are ignored.
	MarkRead(ctx context.Context, officeID uuid.UUID, userID string, at time.Time, ids ...uuid.UUID) error
}

// AdminStore stores admin accounts and their sessions.
type AdminStore interface {
	// CreateAdmin stores a new account and its first audit event. It returns
	// ErrConflict if the ID or (office, email) exists.
	CreateAdmin(ctx context.Context, a AdminAccount, ev Event) error
	// UpdateAdmin stores a (whose Version is already incremented) if the
	// stored version is expectedVersion, with its audit event, atomically.
	// ErrConflict on a version mismatch, ErrNotFound if absent.
	UpdateAdmin(ctx context.Context, a AdminAccount, expectedVersion int64, ev Event) error
	// AdminByID returns the account, or ErrNotFound.
	AdminByID(ctx context.Context, id uuid.UUID) (AdminAccount, error)
	// AdminByEmail returns the office's account with that (lower-case)
	// email, or ErrNotFound.
	AdminByEmail(ctx context.Context, officeID uuid.UUID, email string) (AdminAccount, error)
	// ListAdmins returns the office's accounts ordered by email.
	ListAdmins(ctx context.Context, officeID uuid.UUID) ([]AdminAccount, error)
	// CreateSession stores s (ErrConflict if its TokenHash exists).
	CreateSession(ctx context.Context, s Session) error
	// Session returns the session with that token hash, or ErrNotFound.
	Session(ctx context.Context, tokenHash string) (Session, error)
	// SessionAdmin returns the session with that token hash together with
	// its admin's account, in one read: what Session and AdminByID would
	// return. ErrNotFound when the session does not exist or its account
	// does not. A disabled account is returned like any other: the domain
	// decides.
	SessionAdmin(ctx context.Context, tokenHash string) (Session, AdminAccount, error)
	// TouchSession sets the session's LastSeenAt (ErrNotFound if absent).
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	// DeleteSession removes one session; DeleteAdminSessions removes all of
	// an admin's sessions. Neither fails for an absent session.
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteAdminSessions(ctx context.Context, adminID uuid.UUID) error
}

// ReviewReader is an optional capability of a [Store]: reading the record
// an admin acts on together with the admin's session and account, in one
// round trip (and one snapshot). When the Store has it, every review
// decision and every admin Get, Actions or Inspect costs one read instead
// of two; otherwise the domain reads the record and then calls
// AdminStore.SessionAdmin. The memory, SQLite and PostgreSQL stores
// implement it; stores that do pass the ReviewReader group of
// store/storetest.
type ReviewReader interface {
	// ApplicationForReview returns what Records.Application(id) returns
	// and, alongside, what AdminStore.SessionAdmin(tokenHash) returns.
	// Errors: those of Application; the session's own error (ErrNotFound
	// for an unknown session or a deleted account) is in the lookup.
	ApplicationForReview(ctx context.Context, id uuid.UUID, tokenHash string) (Application, SessionLookup, error)
	// FilingForReview is ApplicationForReview for a filing.
	FilingForReview(ctx context.Context, id uuid.UUID, tokenHash string) (Filing, SessionLookup, error)
}

// SessionLookup is the outcome of AdminStore.SessionAdmin made by a
// [ReviewReader] alongside a record: the session and its account, or the
// error SessionAdmin would have returned.
type SessionLookup struct {
	Session Session
	Account AdminAccount
	Err     error
}

// AdminAccount is a stored notary admin account.
type AdminAccount struct {
	ID           uuid.UUID
	OfficeID     uuid.UUID
	Email        string // lower-case
	Name         string
	Role         Role
	PasswordHash string // self-describing argon2id encoding
	Disabled     bool
	FailedLogins int       // consecutive failures since the last success
	LockedUntil  time.Time // zero when not locked
	Version      int64
	AuditHead    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Session is an admin login session. Only the SHA-256 of the token is stored.
type Session struct {
	TokenHash  string // hex SHA-256 of the opaque token
	AdminID    uuid.UUID
	OfficeID   uuid.UUID
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute expiry
}

// Message is one rendered notice, ready to deliver on one channel.
type Message struct {
	ID        string // stable message ID derived from the notice; receivers deduplicate on it
	NoticeID  uuid.UUID
	OfficeID  uuid.UUID
	RecordID  uuid.UUID // the filing or application the notice is about
	CreatedAt time.Time // when the transition that caused it committed
	Kind      NoticeKind
	Channel   Channel
	To        Recipient
	Subject   string
	Text      string // plain-text body
	HTML      string // HTML body; empty for channels without HTML
}

// Notifier delivers one rendered message on its channel. A Notifier returns
// an error wrapping ErrPermanent when retrying cannot help (the recipient
// does not exist, the message is refused); any other error is retried.
type Notifier interface {
	Notify(ctx context.Context, m Message) error
}

// ErrPermanent marks a delivery failure that retrying cannot fix.
var ErrPermanent = errorString("notary: permanent delivery failure")

type errorString string

func (e errorString) Error() string { return string(e) }

// PaymentRequest asks a provider to create a payment.
type PaymentRequest struct {
	IdempotencyKey string // the same key returns the same payment
	ApplicationID  uuid.UUID
	OfficeID       uuid.UUID
	Amount         decimal.Decimal
	Currency       string
	Description    string
	ExpiresAt      time.Time
	// Method is the payment method the gateway is asked for; Payee and
	// Reference are set for MethodBankTransfer: the office's account
	// (Office.BankAccount) and the application's TransferReference.
	Method    PaymentMethod
	Payee     BankAccount
	Reference string
}

// Payment is a provider's view of a payment.
type Payment struct {
	Provider      string
	ID            string
	ApplicationID uuid.UUID
	Amount        decimal.Decimal
	Currency      string
	Status        PaymentStatus
	CheckoutURL   string
	PaidAt        time.Time
	// Transfer is set by a bank transfer gateway: where the payer
	// transfers the fee and what the note says.
	Transfer *TransferInstructions
}

// RefundRequest asks a provider to refund (part of) a payment.
type RefundRequest struct {
	IdempotencyKey string // the same key returns the same refund
	PaymentID      string
	Amount         decimal.Decimal
	Currency       string
	Reason         string
}

// PaymentEvent is a verified provider notification about a payment.
type PaymentEvent struct {
	ID            string // provider event ID; applied at most once
	Provider      string
	PaymentID     string
	ApplicationID uuid.UUID
	Status        PaymentStatus
	Amount        decimal.Decimal
	Currency      string
	At            time.Time
}

// PaymentGateway is a payment provider. The domain calls it to create and
// query payments and to refund them; hosts feed its verified notifications
// to Applications.HandlePaymentEvent.
type PaymentGateway interface {
	// CreatePayment creates a payment, or returns the one already created
	// with the same idempotency key, even when r names another
	// application: racing retries of one Apply then share one payment, and
	// Apply answers with the application the payment was made for.
	CreatePayment(ctx context.Context, r PaymentRequest) (Payment, error)
	// QueryPayment returns the payment's current status (ErrNotFound if the
	// provider does not know it).
	QueryPayment(ctx context.Context, paymentID string) (Payment, error)
	// ClosePayment closes an unpaid payment at the provider, so that it can
	// no longer be paid (WeChat Pay's close order, Alipay's trade.close),
	// and returns it with Status PaymentCancelled. It is idempotent: a
	// payment already closed, or expired, is returned as it is. A payment
	// that already succeeded cannot be closed: it is returned, with Status
	// PaymentSucceeded, together with an error wrapping ErrAlreadyPaid, and
	// the caller takes it as the payment success it is. ErrNotFound when
	// the provider does not know the payment. Any other error is temporary
	// (the provider refuses to close an order in its first minutes, as
	// WeChat Pay does for five, or is unreachable): retry later.
	ClosePayment(ctx context.Context, paymentID string) (Payment, error)
	// Refund refunds (part of) a succeeded payment; idempotent per key.
	Refund(ctx context.Context, r RefundRequest) (Refund, error)
	// VerifyNotification authenticates a raw provider notification and
	// returns its event. A forged, stale or replayed notification returns
	// an error wrapping ErrForbidden; a malformed one ErrInvalidInput.
	VerifyNotification(ctx context.Context, header http.Header, body []byte) (PaymentEvent, error)
}

// TrackingStatus is a courier's view of a consignment.
type TrackingStatus struct {
	Carrier        string
	TrackingNumber string
	// State is the consignment's overall state; TrackingUnknown when the
	// courier does not say. Delivered is true exactly when State is
	// TrackingDelivered or the courier reports delivery without a state.
	State       TrackingState
	Delivered   bool
	DeliveredAt time.Time
	Events      []TrackingEvent
}

// TrackingState is a consignment's overall state as a courier reports it.
// Couriers map their own codes onto these; the zero value is
// TrackingUnknown.
type TrackingState string

// The tracking states.
const (
	// TrackingUnknown: the courier gave no state (or no scans yet).
	TrackingUnknown TrackingState = ""
	// TrackingPickedUp: the carrier has collected the parcel (揽收).
	TrackingPickedUp TrackingState = "picked_up"
	// TrackingInTransit: on its way (在途, also forwarded and customs).
	TrackingInTransit TrackingState = "in_transit"
	// TrackingOutForDelivery: with the courier for delivery (派件).
	TrackingOutForDelivery TrackingState = "out_for_delivery"
	// TrackingDelivered: signed for by the recipient (签收).
	TrackingDelivered TrackingState = "delivered"
	// TrackingProblem: the carrier reports a problem (疑难, customs
	// trouble); the parcel may still arrive.
	TrackingProblem TrackingState = "problem"
	// TrackingRefused: the recipient refused the parcel (拒签).
	TrackingRefused TrackingState = "refused"
	// TrackingReturning: on its way back to the sender (退回).
	TrackingReturning TrackingState = "returning"
	// TrackingReturned: returned and signed for by the sender (退签).
	TrackingReturned TrackingState = "returned"
)

// TrackingEvent is one scan of a consignment.
type TrackingEvent struct {
	At          time.Time `json:"at"`
	Location    string    `json:"location,omitempty"`
	Description string    `json:"description"`
}

// Courier validates tracking numbers and reports consignment status.
type Courier interface {
	// Normalize checks a tracking number for the carrier and returns its
	// canonical form. An unknown carrier or invalid number returns an error
	// wrapping ErrInvalidInput.
	Normalize(carrier, trackingNumber string) (string, error)
	// Track returns the consignment's status (ErrNotFound if unknown).
	Track(ctx context.Context, carrier, trackingNumber string) (TrackingStatus, error)
}

// Clock tells the time. Tests substitute a controllable one.
type Clock interface{ Now() time.Time }

// IDSource makes new IDs. Tests substitute a deterministic one.
type IDSource interface{ NewID() uuid.UUID }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now().UTC() }

// randomIDs makes version 7 UUIDs with uuid.NewV7: a millisecond timestamp
// from the system clock, so IDs of one process sort by creation (NewV7
// keeps them monotonic within a millisecond), and random bits from
// crypto/rand. The timestamp is an ordering hint, not a record time: record
// times come from the service clock.
type randomIDs struct{}

func newRandomIDs() randomIDs { return randomIDs{} }

// NewID returns a new version 7 UUID. uuid.NewV7 fails only when
// crypto/rand does, which Go 1.24+ turns into a crash instead.
func (randomIDs) NewID() uuid.UUID { return uuid.Must(uuid.NewV7()) }
