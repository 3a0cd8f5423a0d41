package notary

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/payment"
)

// Office configures the notary office a Service serves.
type Office struct {
	ID          uuid.UUID
	Name        string
	AdminEmails []string // the admin mailbox: every office notice goes to each address
	// MailingAddress is where users mail their paper materials.
	MailingAddress string
	// Materials lists the paper materials users must mail after passing the
	// preliminary review.
	Materials []string
	// Pricing computes the fee from the number of evidence records; the
	// zero value means payment.DefaultPricing().
	Pricing payment.Pricing
	// PaymentTTL is how long an application waits for payment before it is
	// cancelled and its evidence released. Zero means 30 minutes.
	PaymentTTL time.Duration
	// BankAccount is the office's account that enterprises transfer fees
	// to when they pay by bank transfer (Config.BankTransfer): required
	// with it, unused without it.
	BankAccount BankAccount
	// TransferDays is how many days an application paid by bank transfer
	// waits for the transfer before it is cancelled (a transfer takes days
	// where a wallet takes minutes). Zero means DefaultTransferDays; at
	// most 90.
	TransferDays int
	// Refund is what a user gets back when the preliminary review rejects a
	// paid application. The zero value refunds in full.
	Refund RefundPolicy
	// AutoConfirmAfter confirms receipt of a shipped certificate
	// automatically after this long; zero disables auto-confirmation.
	// AutoConfirmFrom says when the countdown starts.
	AutoConfirmAfter time.Duration
	// AutoConfirmFrom is when the auto-confirmation countdown starts:
	// AutoConfirmFromDelivery (the default) or AutoConfirmFromShipping. See
	// Office.AutoConfirmAt.
	AutoConfirmFrom AutoConfirmBasis
	// RefundRetryWindow bounds how long Sweep keeps retrying a refund that
	// failed when a paid application was rejected: only applications
	// rejected within the window are looked at. Zero (or negative) means 7
	// days. A refund still failing after the window needs an operator.
	RefundRetryWindow time.Duration
	// Locale is the default locale of notices ("zh-CN" when empty).
	Locale string
	// PersonalDataRetention is how long the personal fields of a filing
	// are kept after its last activity (its UpdatedAt); Filings.EraseExpired
	// erases them afterwards. Zero keeps them.
	PersonalDataRetention time.Duration
	// TimeZone is where the office is: consoles and reports show times in
	// it. Nil means Asia/Shanghai (China Standard Time, UTC+8).
	TimeZone *time.Location
}

// DefaultTimeZone returns Asia/Shanghai, the default Office.TimeZone. When
// the system has no time zone database it is the fixed zone UTC+8 named
// "CST", which is exact: China has kept UTC+8 without daylight saving
// time since 1991.
func DefaultTimeZone() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*60*60)
}

// DefaultTransferDays is the Office.TransferDays used when it is zero.
const DefaultTransferDays = 7

// TransferTTL is how long an application paid by bank transfer waits for
// the transfer: Office.TransferDays days.
func (o Office) TransferTTL() time.Duration { return time.Duration(o.TransferDays) * 24 * time.Hour }

// paymentTTL is how long an application paying by method waits for it.
func (o Office) paymentTTL(method PaymentMethod) time.Duration {
	if method == MethodBankTransfer {
		return o.TransferTTL()
	}
	return o.PaymentTTL
}

// RefundMode selects a refund policy.
type RefundMode string

// Refund modes.
const (
	RefundFull    RefundMode = "full"
	RefundNone    RefundMode = "none"
	RefundPercent RefundMode = "percent"
)

// RefundPolicy says how much of the fee a rejected application gets back.
type RefundPolicy struct {
	Mode    RefundMode      // "" means RefundFull
	Percent decimal.Decimal // 0–100, for RefundPercent
}

// Amount returns the refund due on a paid amount, rounded to the fen.
func (p RefundPolicy) Amount(paid decimal.Decimal) decimal.Decimal {
	switch p.Mode {
	case RefundNone:
		return decimal.Zero
	case RefundPercent:
		return paid.Mul(p.Percent).Div(decimal.NewFromInt(100)).Round(2)
	default:
		return paid
	}
}

// Config wires a Service. Store and Payments are required.
type Config struct {
	Office   Office
	Store    Store
	Payments PaymentGateway
	// BankTransfer, when set, lets users pay by corporate bank transfer
	// (ApplyRequest.Method MethodBankTransfer): the gateway that gives
	// them Office.BankAccount and the application's reference
	// (adapters/banktransfer). Finance records the transfers
	// (Service.Finance). Nil offers wallet payment only.
	BankTransfer PaymentGateway
	// Courier validates tracking numbers; nil accepts any carrier code and a
	// 6–40 character alphanumeric number.
	Courier Courier
	Clock   Clock        // nil means the system clock
	IDs     IDSource     // nil means random UUIDv7
	Logger  *slog.Logger // nil means slog.Default()
	// Admin configures admin passwords, sessions and lockout; the zero
	// value takes the defaults.
	Admin AdminPolicy
	// Observer receives transitions, deliveries and sweeps for metrics and
	// traces; nil means NopObserver (see adapters/otel).
	Observer Observer
	// HostEvents makes every transition also commit a host event on
	// ChannelHost, for the host platform (see HostEvent): listed in commit
	// order by Service.HostEvents, and delivered to HostEndpoints. Off by
	// default.
	HostEvents bool
	// HostEndpoints are the host's receivers of host events (webhook
	// endpoints, in-process handlers), each with its own delivery state:
	// see HostEndpoint. Setting any turns HostEvents on.
	HostEndpoints []HostEndpoint
	// Sealer seals the personal fields of filings before the Store sees
	// them (adapters/tink). Required unless InsecureDevKeys is set.
	Sealer Sealer
	// Blinder keys the blind indexes of ID numbers (Filings.ByIDNumber):
	// HMACBlinder with a key from the host's KMS. Required unless
	// InsecureDevKeys is set.
	Blinder Blinder
	// InsecureDevKeys lets a nil Sealer or Blinder fall back to
	// InsecureDevSealer and a blinder under the development key, both
	// public: for tests and local development only, never production, and
	// New logs a warning for each. Without it, New refuses a missing one,
	// so no host stores personal data under a public key by omission.
	InsecureDevKeys bool
}

// Service is one notary office's notarykit: the patent's units as fields.
type Service struct {
	// Filings is the material application unit (资料申请单元).
	Filings *Filings
	// Applications is the certificate application unit (公证书申请单元).
	Applications *Applications
	// Reviews is the review unit (审核单元).
	Reviews *Reviews
	// Invoices is the invoice unit: invoices (发票) of paid fees.
	Invoices *Invoices
	// Audit reads and verifies audit trails.
	Audit *Audit
	// Inbox is the users' in-site inbox.
	Inbox *UserInbox
	// Admins is the admin login unit (管理员登录单元).
	Admins *Admins
	// DeadLetters lists and retries the notices the relay gave up on.
	DeadLetters *DeadLetters
	// Finance is the finance unit: bank transfers received and refunds
	// paid, recorded by finance staff.
	Finance *Finance

	office    Office
	store     Store
	payments  PaymentGateway
	transfers PaymentGateway // Config.BankTransfer; nil when not offered
	courier   Courier
	clock     Clock
	ids       IDSource
	log       *slog.Logger
	obs       Observer
	sealer    Sealer
	blinder   Blinder

	hostEvents bool
	// hostEndpoints: each gets its own outbox notice of every host event
	// of a type it wants.
	hostEndpoints []HostEndpoint
}

// New validates cfg and returns a Service.
func New(cfg Config) (*Service, error) {
	o := cfg.Office
	switch {
	case o.ID == uuid.Nil:
		return nil, invalid("office.id", "required")
	case strings.TrimSpace(o.Name) == "":
		return nil, invalid("office.name", "required")
	case len(o.AdminEmails) == 0:
		return nil, invalid("office.admin_emails", "at least one address required")
	case strings.TrimSpace(o.MailingAddress) == "":
		return nil, invalid("office.mailing_address", "required")
	case cfg.Store == nil:
		return nil, invalid("store", "required")
	case cfg.Payments == nil:
		return nil, invalid("payments", "required")
	}
	for i, e := range o.AdminEmails {
		if err := CheckEmail(e); err != nil {
			return nil, invalid(fmt.Sprintf("office.admin_emails[%d]", i), "%v", err)
		}
	}
	if o.Pricing.Currency == "" && o.Pricing.PerRecord.IsZero() && len(o.Pricing.Tiers) == 0 && o.Pricing.Minimum.IsZero() {
		o.Pricing = payment.DefaultPricing()
	}
	if err := o.Pricing.Validate(); err != nil {
		return nil, invalid("office.pricing", "%v", err)
	}
	if o.PaymentTTL <= 0 {
		o.PaymentTTL = 30 * time.Minute
	}
	switch {
	case o.TransferDays == 0:
		o.TransferDays = DefaultTransferDays
	case o.TransferDays < 0 || o.TransferDays > 90:
		return nil, invalid("office.transfer_days", "must be between 1 and 90, got %d", o.TransferDays)
	}
	if cfg.BankTransfer != nil {
		if err := o.BankAccount.Validate(); err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				return nil, invalid("office."+fe.Field, "%s", fe.Reason)
			}
			return nil, err
		}
	}
	switch o.Refund.Mode {
	case "", RefundFull, RefundNone:
	case RefundPercent:
		if o.Refund.Percent.IsNegative() || o.Refund.Percent.GreaterThan(decimal.NewFromInt(100)) {
			return nil, invalid("office.refund.percent", "must be between 0 and 100")
		}
	default:
		return nil, invalid("office.refund.mode", "unknown mode %q", o.Refund.Mode)
	}
	if o.Locale == "" {
		o.Locale = "zh-CN"
	}
	if o.TimeZone == nil {
		o.TimeZone = DefaultTimeZone()
	}
	policy, err := cfg.Admin.normalize()
	if err != nil {
		return nil, err
	}
	endpoints, err := checkHostEndpoints(cfg.HostEndpoints)
	if err != nil {
		return nil, err
	}
	s := &Service{hostEndpoints: endpoints, office: o, store: cfg.Store, payments: cfg.Payments, transfers: cfg.BankTransfer, courier: cfg.Courier,
		clock: cfg.Clock, ids: cfg.IDs, log: cfg.Logger, obs: cfg.Observer, hostEvents: cfg.HostEvents || len(endpoints) > 0, sealer: cfg.Sealer, blinder: cfg.Blinder}
	if s.obs == nil {
		s.obs = NopObserver{}
	}
	if s.clock == nil {
		s.clock = systemClock{}
	}
	if s.ids == nil {
		s.ids = newRandomIDs()
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if !cfg.InsecureDevKeys && s.sealer == nil {
		return nil, invalid("sealer", "required: plug in a Sealer (adapters/tink), or set InsecureDevKeys for development")
	}
	if !cfg.InsecureDevKeys && s.blinder == nil {
		return nil, invalid("blinder", "required: plug in a Blinder (HMACBlinder with a secret key), or set InsecureDevKeys for development")
	}
	if s.sealer == nil {
		s.sealer = InsecureDevSealer()
		s.log.Warn("notary: no Config.Sealer: personal data is sealed with the insecure development key; configure a Sealer in production")
	}
	if s.blinder == nil {
		s.blinder = HMACBlinder(devBlindKey[:])
		s.log.Warn("notary: no Config.Blinder: ID numbers are indexed with the insecure development key; configure a Blinder in production")
	}
	s.Filings = &Filings{s}
	s.Applications = &Applications{s}
	s.Reviews = &Reviews{s}
	s.Invoices = &Invoices{s}
	s.Audit = &Audit{s}
	s.Inbox = &UserInbox{s}
	s.Admins = newAdmins(s, policy)
	s.DeadLetters = &DeadLetters{s}
	s.Finance = &Finance{s}
	return s, nil
}

// gateway returns the payment gateway of method: Config.BankTransfer for
// a bank transfer, Config.Payments otherwise.
func (s *Service) gateway(method PaymentMethod) PaymentGateway {
	if method == MethodBankTransfer && s.transfers != nil {
		return s.transfers
	}
	return s.payments
}

// Office returns the office configuration in force (with defaults applied).
func (s *Service) Office() Office { return s.office }

// Clock returns the clock the service stamps records, events and notices
// with: Config.Clock, or the system clock when that was nil. Components
// that compare times with the stored ones take it — the notify relay, for
// one, which decides from it which notices are due.
func (s *Service) Clock() Clock { return s.clock }

// now is the service clock in UTC at the microsecond precision stores keep.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// system is the principal of the SDK's own actions: payment events,
// sweeps, refunds. It is unexported, so no caller can act as the system.
type system struct{ component string }

func (system) isPrincipal() {}

// systemActor attributes automatic actions.
func systemActor(component string) Actor {
	return Actor{Kind: ActorSystem, ID: "notarykit", Name: component}
}

func (u User) actor() Actor  { return Actor{Kind: ActorUser, ID: u.ID, Name: u.Name} }
func (a Admin) actor() Actor { return Actor{Kind: ActorAdmin, ID: a.ID.String(), Name: a.Email} }

// checkUserID checks a user principal's identity alone. It is enough for
// every call that does not store the user (reads, the inbox, transitions
// of a stored record), whose owner is decided by ID and whose notices go
// to the owner's details as stored.
func checkUserID(u User) error {
	if strings.TrimSpace(u.ID) == "" || len(u.ID) > 128 {
		return wrap(ErrForbidden, "user: missing or oversized ID")
	}
	// The ID and name are stored in every audit event the user causes.
	if err := CheckText(u.ID, 1, 128); err != nil {
		return invalid("user.id", "%v", err)
	}
	if err := CheckText(u.Name, 0, maxUserName); err != nil {
		return invalid("user.name", "%v", err)
	}
	return nil
}

// maxUserName bounds a user's display name, in characters.
const maxUserName = 200

// checkUser validates the host-supplied user principal for the calls that
// store it as a record's owner (Apply and the first filing), so its
// contact details must be valid.
func checkUser(u User) error {
	if err := checkUserID(u); err != nil {
		return err
	}
	if err := CheckEmail(u.Email); err != nil {
		return invalid("user.email", "%v", err)
	}
	if err := CheckText(u.Locale, 0, 35); err != nil {
		return invalid("user.locale", "%v", err)
	}
	return nil
}

// checkAdmin authorizes an admin principal for this office: it needs a
// live session of an enabled account of this office (see liveAdmin).
// Errors: ErrUnauthenticated, ErrForbidden.
func (s *Service) checkAdmin(ctx context.Context, a Admin) error {
	_, err := s.liveAdmin(ctx, a)
	return err
}

// party decides which lifecycle party actor plays towards a record of this
// office owned by ownerID; strangers are refused with ErrForbidden.
func (s *Service) party(ctx context.Context, actor Principal, officeID uuid.UUID, ownerID string) (Party, Actor, error) {
	if officeID != s.office.ID {
		return "", Actor{}, wrap(ErrForbidden, "record belongs to another office")
	}
	switch a := resolve(actor).(type) {
	case User:
		if err := checkUserID(a); err != nil {
			return "", Actor{}, err
		}
		if a.ID != ownerID {
			return "", Actor{}, wrap(ErrForbidden, "user %s does not own the record", a.ID)
		}
		return PartyOwner, a.actor(), nil
	case Admin:
		return s.adminParty(ctx, a, nil)
	case reviewer:
		return s.adminParty(ctx, a.Admin, &a.session)
	case system:
		return PartySystem, systemActor(a.component), nil
	}
	return "", Actor{}, wrap(ErrForbidden, "no principal")
}

// resolve returns the User or Admin a pointer principal points to: *User
// and *Admin satisfy Principal through their values' method sets, so they
// compile and are treated as the values (a nil pointer as no principal).
func resolve(p Principal) Principal {
	switch v := p.(type) {
	case *User:
		if v == nil {
			return nil
		}
		return *v
	case *Admin:
		if v == nil {
			return nil
		}
		return *v
	}
	return p
}

// reviewer is an admin principal whose session a ReviewReader looked up
// together with the record it acts on; party checks it as it checks any
// admin, without reading the session again.
type reviewer struct {
	Admin
	session SessionLookup
}

// load reads the record with id that actor is about to act on or see, with
// read. When actor is an admin and the store is a ReviewReader, it reads
// the admin's session in the same round trip with joint, and returns a
// principal carrying it for party; otherwise it returns actor as given.
func load[T any](ctx context.Context, s *Service, actor Principal, id uuid.UUID,
	read func(context.Context, uuid.UUID) (T, error),
	joint func(ReviewReader, context.Context, uuid.UUID, string) (T, SessionLookup, error),
) (T, Principal, error) {
	actor = resolve(actor)
	a, isAdmin := actor.(Admin)
	rr, canJoin := s.store.(ReviewReader)
	if !isAdmin || !canJoin || a.SessionID == "" {
		rec, err := read(ctx, id)
		return rec, actor, err
	}
	rec, lookup, err := joint(rr, ctx, id, a.SessionID)
	return rec, reviewer{Admin: a, session: lookup}, err
}

// adminParty authorizes an admin of the office by its live session, read
// now or already looked up, and attributes the action as the account is
// stored.
func (s *Service) adminParty(ctx context.Context, a Admin, lookup *SessionLookup) (Party, Actor, error) {
	acct, err := s.liveAdminRead(ctx, a, lookup)
	if err != nil {
		return "", Actor{}, err
	}
	return acct.Role.party(), acct.principal(a.SessionID).actor(), nil
}

// recordHead authorizes actor to read a record of any kind (a filing or
// application: its owner or an admin of the office; an admin account: an
// admin of the office) and returns its audit head.
func (s *Service) recordHead(ctx context.Context, actor Principal, id uuid.UUID) (string, error) {
	office, owner, head, err := s.findRecord(ctx, id)
	if err != nil {
		return "", err
	}
	if _, _, err := s.party(ctx, actor, office, owner); err != nil {
		return "", err
	}
	return head, nil
}

// findRecord looks a record up by ID among applications, filings and admin
// accounts (the most numerous kind first), and returns its office, owner
// ("" for an admin account) and audit head.
func (s *Service) findRecord(ctx context.Context, id uuid.UUID) (office uuid.UUID, owner, head string, err error) {
	if a, err := s.store.Application(ctx, id); err == nil {
		return a.OfficeID, a.Owner.ID, a.AuditHead, nil
	} else if !errors.Is(err, ErrNotFound) {
		return uuid.Nil, "", "", err
	}
	if f, err := s.store.Filing(ctx, id); err == nil {
		return f.OfficeID, f.Owner.ID, f.AuditHead, nil
	} else if !errors.Is(err, ErrNotFound) {
		return uuid.Nil, "", "", err
	}
	if a, err := s.store.AdminByID(ctx, id); err == nil {
		return a.OfficeID, "", a.AuditHead, nil
	} else if !errors.Is(err, ErrNotFound) {
		return uuid.Nil, "", "", err
	}
	return uuid.Nil, "", "", wrap(ErrNotFound, "record %s", id)
}

// step describes one transition of a record for the audit trail.
type step struct {
	kind     RecordKind
	recordID uuid.UUID
	version  int64 // version before the transition
	head     string
	from, to string
	trigger  string
	actor    Actor
	reason   string
	at       time.Time
}

// event builds the sealed audit event of st.
func (s *Service) event(st step) Event {
	return Event{
		ID: s.ids.NewID(), RecordID: st.recordID, RecordKind: st.kind, OfficeID: s.office.ID,
		Seq: st.version + 1, Trigger: st.trigger, From: st.from, To: st.to,
		Actor: st.actor, Reason: st.reason, At: st.at,
	}.sealed(st.head)
}

func (s *Service) locale(l string) string {
	if l == "" {
		return s.office.Locale
	}
	return l
}
