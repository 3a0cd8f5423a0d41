package main

import (
	"crypto/ed25519"
	"log/slog"
	"net"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/adapters/kuaidi100"
	"github.com/notarykit/notarykit/adapters/smtp"
	"github.com/notarykit/notarykit/adapters/webhook"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment"
)

// Defaults of Config. Every one is also the default of the matching flag in
// main.go.
const (
	DefaultAddr            = "127.0.0.1:8080"
	DefaultSQLitePath      = "hostapp.db"
	DefaultSweepInterval   = 30 * time.Second
	DefaultTrackInterval   = 30 * time.Minute // Kuaidi100 asks for at least 30 minutes between queries of a number
	DefaultRelayInterval   = 5 * time.Second
	DefaultShutdownTimeout = 15 * time.Second
	DefaultEvidencePerUser = 8
)

// DemoOfficeID is the ID of the demo office. It is fixed so that a restarted
// host app finds its records again in the same database.
var DemoOfficeID = uuid.MustParse("6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f")

// DemoOffice returns the office the host app serves unless configured
// otherwise: a fictitious Shenzhen notary office with the SDK's default
// pricing, a 30-minute payment deadline, full refunds and auto-confirmation
// of receipt after 14 days.
func DemoOffice() notary.Office {
	return notary.Office{
		ID:             DemoOfficeID,
		Name:           "深圳市示例公证处",
		AdminEmails:    []string{"review@notary.example"},
		MailingAddress: "深圳市南山区科技园示例路 1 号 公证处收件室（518000）",
		Materials: []string{
			"公证申请表（法定代表人签字并加盖公章）",
			"营业执照副本复印件（加盖公章）",
			"法定代表人身份证复印件",
		},
		Pricing:          payment.DefaultPricing(),
		PaymentTTL:       30 * time.Minute,
		Refund:           notary.RefundPolicy{Mode: notary.RefundFull},
		AutoConfirmAfter: 14 * 24 * time.Hour,
		Locale:           "zh-CN",
		// Enterprises may also pay by corporate bank transfer to this
		// (fictitious) account, within 7 days.
		BankAccount:  notary.BankAccount{Name: "深圳市示例公证处", Bank: "中国工商银行深圳科技园支行", Number: "4000 0231 0900 1234 567"},
		TransferDays: 7,
	}
}

// AdminBootstrap names the office's first admin, a supervisor, created when
// the office has no admin yet (and ignored when it has).
type AdminBootstrap struct {
	Email    string
	Name     string
	Password string
}

// Config wires an App. The zero value (plus a Listener or an Addr) runs the
// demo office on a SQLite file in the working directory, with mail logged.
type Config struct {
	// Addr is the TCP address to listen on (DefaultAddr when empty and no
	// Listener is given).
	Addr string
	// Listener, when set, is served instead of listening on Addr; the App
	// owns it from then on. Tests pass one bound to 127.0.0.1:0.
	Listener net.Listener
	// PublicURL is how browsers reach the app (scheme://host[:port], no
	// trailing slash), used for mockpay's checkout links. Empty means
	// http://<listen address>.
	PublicURL string

	// Store, when set, is used as is and left open by Close; otherwise the
	// App opens PostgresURL when set, or the SQLite file SQLitePath.
	Store          notary.Store
	PostgresURL    string
	PostgresSchema string // optional schema for the PostgreSQL tables
	SQLitePath     string // DefaultSQLitePath when empty

	// Office is the notary office served; DemoOffice() when its ID is nil.
	Office notary.Office
	// AdminPolicy configures admin passwords, sessions and lockout.
	AdminPolicy notary.AdminPolicy
	// Bootstrap, when its Email is set, creates the office's first admin.
	Bootstrap AdminBootstrap

	// Mailer, when set, is the email channel (tests record mail with it).
	// Otherwise SMTP, when set, sends mail; otherwise mail is logged.
	Mailer notary.Notifier
	SMTP   *smtp.Config

	// MockPaySecret signs mockpay's notifications (random when empty; with
	// MockPayURL, the standalone provider's secret, required).
	MockPaySecret []byte
	// MockPayURL, when set, is the base URL of a standalone mockpay
	// (go run ./adapters/mockpay/cmd/mockpay), used instead of one in this
	// process: several host instances then share one provider, so a
	// payment made through one can be refunded by another. That provider's
	// -notify-url must reach this app's /api/payments/notify.
	MockPayURL string
	// MockPayAPIKey is the standalone provider's API key (with MockPayURL).
	MockPayAPIKey string
	// MockPayRetry is mockpay's notification retry schedule (nil: its
	// default, modelled on WeChat Pay). Tests compress it.
	MockPayRetry []time.Duration

	// Webhooks, when set, turns host events on: every transition is
	// POSTed, signed, to the endpoints subscribed to its type
	// (adapters/webhook), at least once and in order per record, each
	// endpoint on its own: one that is down holds back and retries only
	// its own deliveries, and its dead letters name it.
	Webhooks []webhook.Endpoint
	// OnHostEvent, when set, also turns host events on and receives each
	// one in process, as its own endpoint (InProcessEndpoint).
	OnHostEvent notary.HostEventHandler
	// HostAPIKey, when set (at least 16 characters), is the bearer token
	// of the host API (GET /api/host/events, hostapi.go): the host
	// platform's own calls, not its users'. Empty turns the host API off.
	HostAPIKey string

	// Evidence is the host's evidence store; a DemoEvidence with
	// DefaultEvidencePerUser records per user when nil.
	Evidence EvidenceCatalog

	// Kuaidi100, when set, tracks consignments with Kuaidi100's query API
	// (an office with a Kuaidi100 account); otherwise the manual tracker
	// records what an admin reports (POST
	// /api/admin/applications/{id}/delivered).
	Kuaidi100 *kuaidi100.Config
	// TrackInterval is how often Applications.Track asks the courier about
	// consignments in transit (DefaultTrackInterval when zero; negative
	// disables the loop).
	TrackInterval time.Duration

	// SweepInterval is how often Applications.Sweep runs (expiry,
	// reconciliation, auto-confirmation, refund retries); negative disables
	// the loop (tests call App.Sweep themselves).
	SweepInterval time.Duration
	// RelayInterval is how often the outbox relay polls for notices.
	RelayInterval time.Duration
	// ShutdownTimeout bounds the graceful shutdown of Run.
	ShutdownTimeout time.Duration

	// LogKey is the office's Ed25519 key signing the transparency log's
	// checkpoints (a key made for the process when nil: see newLog);
	// LogOrigin names the log ("notarykit/<office ID>" when empty).
	LogKey    ed25519.PrivateKey
	LogOrigin string
	// LogInterval is how often the sequencer runs (DefaultLogInterval when
	// zero); LogCheckpointEvery how often it signs a checkpoint of a grown
	// log (DefaultLogCheckpointEvery when zero).
	LogInterval        time.Duration
	LogCheckpointEvery time.Duration

	// SessionSecret keys the CSRF tokens of the review console (random when
	// empty: open forms then fail after a restart, sessions survive).
	SessionSecret []byte
	// InsecureCookies drops the Secure attribute of the admin cookies. Only
	// for plain-HTTP development setups whose browser refuses Secure
	// cookies over http; never in production.
	InsecureCookies bool

	// Clock is the time source of the service, the relay, the sweep and
	// mockpay; the system clock when nil. Tests use notarytest.Clock.
	Clock notary.Clock
	// IDs makes record IDs; random UUIDv7 when nil.
	IDs notary.IDSource
	// Sealer seals the personal fields of filings. Nil means the keyset file
	// at KeysetPath when that is set, else notary.InsecureDevSealer (with a
	// warning): a production host plugs in its KMS-backed Sealer.
	Sealer notary.Sealer
	// KeysetPath is a cleartext Tink keyset file (adapters/tink), created
	// when missing. Development only: the key lies on disk unprotected.
	KeysetPath string
	// Logger receives the app's logs; slog.Default() when nil.
	Logger *slog.Logger
}

// withDefaults returns cfg with every empty field set to its default.
func (cfg Config) withDefaults() Config {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.SQLitePath == "" {
		cfg.SQLitePath = DefaultSQLitePath
	}
	if cfg.Office.ID == uuid.Nil {
		cfg.Office = DemoOffice()
	}
	if cfg.Evidence == nil {
		cfg.Evidence = DemoEvidence{PerUser: DefaultEvidencePerUser}
	}
	if cfg.SweepInterval == 0 {
		cfg.SweepInterval = DefaultSweepInterval
	}
	if cfg.TrackInterval == 0 {
		cfg.TrackInterval = DefaultTrackInterval
	}
	if cfg.RelayInterval <= 0 {
		cfg.RelayInterval = DefaultRelayInterval
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if cfg.LogInterval <= 0 {
		cfg.LogInterval = DefaultLogInterval
	}
	if cfg.LogCheckpointEvery <= 0 {
		cfg.LogCheckpointEvery = DefaultLogCheckpointEvery
	}
	if cfg.Clock == nil {
		cfg.Clock = systemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg
}

// systemClock is the wall clock in UTC.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now().UTC() }
