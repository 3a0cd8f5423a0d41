// Command hostapp is what an evidence-storage platform copies to embed
// notarykit in its backend: an HTTP server with the user and admin JSON
// APIs, the review console, the payment-notice endpoint, an in-process
// mock payment provider, the outbox relay and the sweep loop, on SQLite by
// default or PostgreSQL, mailing by SMTP or to the log.
//
//	go run ./examples/hostapp                       # http://127.0.0.1:8080, SQLite ./hostapp.db
//	go run ./examples/hostapp -postgres postgres://… -smtp smtp.example.com:587 -smtp-user … -smtp-from …
//
// Every flag can also be set by the environment variable named in its
// usage text (the flag wins). main only parses the configuration; the
// wiring lives in App (app.go). See README.md.
package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/adapters/kuaidi100"
	"github.com/notarykit/notarykit/adapters/smtp"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/translog"
)

// devAdminEmail is the bootstrap admin when none is configured.
const devAdminEmail = "admin@notary.example"

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "hostapp:", err)
		os.Exit(1)
	}
}

// run parses the configuration, builds the App and serves until SIGINT or
// SIGTERM.
func run(args []string, out io.Writer) error {
	cfg, generatedPassword, err := parseConfig(args)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	app, err := New(ctx, cfg)
	if err != nil {
		return err
	}
	defer app.Close()

	if acct, ok := app.Bootstrapped(); ok {
		fmt.Fprintf(out, "\nCreated the office's first admin (supervisor): %s\n", acct.Email)
		if generatedPassword {
			fmt.Fprintf(out, "  password: %s\n  (generated and shown only this once; set -admin-password or HOSTAPP_ADMIN_PASSWORD to choose one)\n", cfg.Bootstrap.Password)
		}
	} else if generatedPassword {
		fmt.Fprintln(out, "\nThe office already has admins; no admin was created. (Set -admin-email/-admin-password to bootstrap an empty office.)")
	}
	mockpayAt := app.URL() + "/mockpay/"
	if cfg.MockPayURL != "" {
		mockpayAt = cfg.MockPayURL + " (standalone)"
	}
	fmt.Fprintf(out, "\nnotarykit host app on %s\n  admin pages  %s/admin/\n  user API     %s/api/ (demo auth: X-Demo-User-ID / X-Demo-User-Email headers)\n  mockpay      %s\nCtrl-C to stop.\n\n",
		app.URL(), app.URL(), app.URL(), mockpayAt)

	if err := app.Run(ctx); err != nil {
		return err
	}
	return app.Close()
}

// parseConfig turns flags and environment variables into a Config. It
// reports whether the bootstrap admin's password was generated.
func parseConfig(args []string) (Config, bool, error) {
	fs := flag.NewFlagSet("hostapp", flag.ContinueOnError)
	e := envFlags{fs: fs}

	addr := e.String("addr", "HOSTAPP_ADDR", DefaultAddr, "listen address")
	publicURL := e.String("public-url", "HOSTAPP_PUBLIC_URL", "", "public base URL when behind a proxy (default http://<addr>)")

	sqlitePath := e.String("sqlite", "HOSTAPP_SQLITE_PATH", DefaultSQLitePath, "SQLite database file (the default store)")
	pgURL := e.String("postgres", "HOSTAPP_POSTGRES_URL", "", "PostgreSQL connection URL; selects PostgreSQL instead of SQLite")
	pgSchema := e.String("postgres-schema", "HOSTAPP_POSTGRES_SCHEMA", "", "PostgreSQL schema for notarykit's tables (default: search_path)")

	smtpAddr := e.String("smtp", "HOSTAPP_SMTP_ADDR", "", "SMTP server host:port; without it emails are logged, not sent")
	smtpUser := e.String("smtp-user", "HOSTAPP_SMTP_USER", "", "SMTP AUTH user name")
	smtpPass := e.String("smtp-password", "HOSTAPP_SMTP_PASSWORD", "", "SMTP AUTH password (prefer the environment variable)")
	smtpFrom := e.String("smtp-from", "HOSTAPP_SMTP_FROM", "notarykit <noreply@notary.example>", "sender address of emails")
	smtpTLS := e.String("smtp-tls", "HOSTAPP_SMTP_TLS", smtp.TLSMandatory, "SMTP TLS: mandatory, opportunistic or none (STARTTLS), or implicit (SMTPS)")

	adminEmail := e.String("admin-email", "HOSTAPP_ADMIN_EMAIL", "", "bootstrap supervisor email (default "+devAdminEmail+" with a generated password)")
	adminName := e.String("admin-name", "HOSTAPP_ADMIN_NAME", "Supervisor", "bootstrap supervisor display name")
	adminPassword := e.String("admin-password", "HOSTAPP_ADMIN_PASSWORD", "", "bootstrap supervisor password (prefer the environment variable)")

	office := DemoOffice()
	officeID := e.String("office-id", "HOSTAPP_OFFICE_ID", office.ID.String(), "office ID (keep it stable: records carry it)")
	officeName := e.String("office-name", "HOSTAPP_OFFICE_NAME", office.Name, "office name")
	officeMailbox := e.String("office-mailbox", "HOSTAPP_OFFICE_MAILBOX", strings.Join(office.AdminEmails, ","), "office admin mailbox, comma-separated addresses")
	officeAddress := e.String("office-address", "HOSTAPP_OFFICE_ADDRESS", office.MailingAddress, "mailing address for paper materials")
	paymentTTL := e.Duration("payment-ttl", "HOSTAPP_PAYMENT_TTL", office.PaymentTTL, "how long an application waits for payment")
	autoConfirm := e.Duration("auto-confirm", "HOSTAPP_AUTO_CONFIRM", office.AutoConfirmAfter, "auto-confirm receipt this long after delivery or shipping (0 disables)")
	autoConfirmFrom := e.String("auto-confirm-from", "HOSTAPP_AUTO_CONFIRM_FROM", string(notary.AutoConfirmFromDelivery), "count auto-confirmation from delivery (shipping when the courier reports nothing) or from shipping")

	kdCustomer := e.String("kuaidi100-customer", "HOSTAPP_KUAIDI100_CUSTOMER", "", "Kuaidi100 customer code: track with Kuaidi100 instead of the manual tracker")
	kdKey := e.String("kuaidi100-key", "HOSTAPP_KUAIDI100_KEY", "", "Kuaidi100 key (prefer the environment variable)")
	kdPhone := e.String("kuaidi100-phone", "HOSTAPP_KUAIDI100_PHONE", "", "the office's phone, sent with queries (SF Express and ZTO need one)")
	kdEndpoint := e.String("kuaidi100-endpoint", "HOSTAPP_KUAIDI100_ENDPOINT", "", "Kuaidi100 API base URL (default "+kuaidi100.DefaultEndpoint+")")
	trackEvery := e.Duration("track-interval", "HOSTAPP_TRACK_INTERVAL", DefaultTrackInterval, "how often the courier is asked about consignments in transit (negative disables)")

	sweep := e.Duration("sweep-interval", "HOSTAPP_SWEEP_INTERVAL", DefaultSweepInterval, "how often the expiry/auto-confirm sweep runs (negative disables)")
	relay := e.Duration("relay-interval", "HOSTAPP_RELAY_INTERVAL", DefaultRelayInterval, "how often the outbox relay polls")
	shutdown := e.Duration("shutdown-timeout", "HOSTAPP_SHUTDOWN_TIMEOUT", DefaultShutdownTimeout, "graceful shutdown bound")

	mockpaySecret := e.String("mockpay-secret", "HOSTAPP_MOCKPAY_SECRET", "", "mockpay notification signing secret (default random; required with -mockpay-url)")
	mockpayURL := e.String("mockpay-url", "HOSTAPP_MOCKPAY_URL", "", "base URL of a standalone mockpay shared by every instance (default: one in this process, under /mockpay/)")
	mockpayKey := e.String("mockpay-api-key", "HOSTAPP_MOCKPAY_API_KEY", "", "the standalone mockpay's API key (with -mockpay-url; prefer the environment variable)")
	sessionSecret := e.String("session-secret", "HOSTAPP_SESSION_SECRET", "", "secret (base64, at least 16 bytes) keying the review console's CSRF tokens (default random)")
	insecure := e.Bool("insecure-cookies", "HOSTAPP_INSECURE_COOKIES", false, "DEV ONLY: admin cookies without the Secure attribute, for browsers that refuse Secure cookies over plain http")
	logKey := e.String("log-key", "HOSTAPP_LOG_KEY", "", "the office's Ed25519 transparency-log key: its 32-byte seed in hex or base64 (prefer the environment variable; default a key for this process only)")
	logOrigin := e.String("log-origin", "HOSTAPP_LOG_ORIGIN", "", "the transparency log's name in its checkpoints, e.g. notary.example.com/log (default notarykit/<office ID>)")
	keysetPath := e.String("keyset", "HOSTAPP_KEYSET", "", "DEV ONLY: cleartext Tink keyset file sealing personal data, created when missing (default: the insecure development sealer; production plugs in a KMS-backed Sealer)")
	hostKey := e.String("host-api-key", "HOSTAPP_HOST_API_KEY", "", "bearer token of the host API, GET /api/host/events (at least 16 characters; prefer the environment variable; default: the host API is off)")
	logLevel := e.String("log-level", "HOSTAPP_LOG_LEVEL", "info", "log level: debug, info, warn or error")

	if err := fs.Parse(args); err != nil {
		return Config{}, false, err
	}
	if err := e.err; err != nil {
		return Config{}, false, err
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return Config{}, false, fmt.Errorf("-log-level: %w", err)
	}
	cfg := Config{
		Addr: *addr, PublicURL: *publicURL,
		SQLitePath: *sqlitePath, PostgresURL: *pgURL, PostgresSchema: *pgSchema,
		SweepInterval: *sweep, RelayInterval: *relay, ShutdownTimeout: *shutdown, TrackInterval: *trackEvery,
		MockPaySecret:   []byte(*mockpaySecret),
		MockPayURL:      strings.TrimRight(*mockpayURL, "/"),
		MockPayAPIKey:   *mockpayKey,
		InsecureCookies: *insecure,
		KeysetPath:      *keysetPath,
		HostAPIKey:      *hostKey,
		Logger:          slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
	}
	if *logKey != "" {
		k, err := translog.ParseKey(*logKey)
		if err != nil {
			return Config{}, false, fmt.Errorf("-log-key: %w", err)
		}
		cfg.LogKey = k
	}
	cfg.LogOrigin = *logOrigin
	if *sessionSecret != "" {
		b, err := base64.StdEncoding.DecodeString(*sessionSecret)
		if err != nil {
			return Config{}, false, fmt.Errorf("-session-secret: not base64: %w", err)
		}
		cfg.SessionSecret = b
	}

	id, err := uuid.Parse(*officeID)
	if err != nil {
		return Config{}, false, fmt.Errorf("-office-id: %w", err)
	}
	office.ID, office.Name, office.MailingAddress = id, *officeName, *officeAddress
	office.AdminEmails = splitList(*officeMailbox)
	office.PaymentTTL, office.AutoConfirmAfter = *paymentTTL, *autoConfirm
	switch b := notary.AutoConfirmBasis(*autoConfirmFrom); b {
	case notary.AutoConfirmFromDelivery, notary.AutoConfirmFromShipping:
		office.AutoConfirmFrom = b
	default:
		return Config{}, false, fmt.Errorf("-auto-confirm-from: want %s or %s", notary.AutoConfirmFromDelivery, notary.AutoConfirmFromShipping)
	}
	cfg.Office = office
	if *kdCustomer != "" || *kdKey != "" {
		cfg.Kuaidi100 = &kuaidi100.Config{Customer: *kdCustomer, Key: *kdKey, Phone: *kdPhone, Endpoint: *kdEndpoint}
	}

	if *smtpAddr != "" {
		sc, err := smtpConfig(*smtpAddr, *smtpUser, *smtpPass, *smtpFrom, *smtpTLS)
		if err != nil {
			return Config{}, false, err
		}
		cfg.SMTP = &sc
	}

	generated := false
	cfg.Bootstrap = AdminBootstrap{Email: *adminEmail, Name: *adminName, Password: *adminPassword}
	if cfg.Bootstrap.Email == "" {
		cfg.Bootstrap.Email = devAdminEmail
	}
	if cfg.Bootstrap.Password == "" {
		cfg.Bootstrap.Password = base64.RawURLEncoding.EncodeToString(randomSecret(15))
		generated = true
	}
	return cfg, generated, nil
}

// smtpConfig builds the SMTP notifier's configuration from the flags.
func smtpConfig(addr, user, pass, from, tlsMode string) (smtp.Config, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return smtp.Config{}, fmt.Errorf("-smtp %q: want host:port: %w", addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return smtp.Config{}, fmt.Errorf("-smtp %q: bad port", addr)
	}
	sender, err := mail.ParseAddress(from)
	if err != nil {
		return smtp.Config{}, fmt.Errorf("-smtp-from %q: %w", from, err)
	}
	c := smtp.Config{Host: host, Port: port, Username: user, Password: pass, From: *sender}
	switch tlsMode {
	case "implicit":
		c.ImplicitTLS = true
	case smtp.TLSMandatory, smtp.TLSOpportunistic, smtp.TLSNone:
		c.TLSPolicy = tlsMode
	default:
		return smtp.Config{}, fmt.Errorf("-smtp-tls %q: want mandatory, opportunistic, none or implicit", tlsMode)
	}
	return c, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// envFlags defines flags whose default comes from an environment variable
// when it is set; the usage text names the variable.
type envFlags struct {
	fs  *flag.FlagSet
	err error // the first malformed environment value
}

func (e *envFlags) String(name, env, def, usage string) *string {
	if v, ok := os.LookupEnv(env); ok {
		def = v
	}
	return e.fs.String(name, def, usage+" ($"+env+")")
}

func (e *envFlags) Duration(name, env string, def time.Duration, usage string) *time.Duration {
	if v, ok := os.LookupEnv(env); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			e.err = errors.Join(e.err, fmt.Errorf("$%s: %w", env, err))
		} else {
			def = d
		}
	}
	return e.fs.Duration(name, def, usage+" ($"+env+")")
}

func (e *envFlags) Bool(name, env string, def bool, usage string) *bool {
	if v, ok := os.LookupEnv(env); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			e.err = errors.Join(e.err, fmt.Errorf("$%s: %w", env, err))
		} else {
			def = b
		}
	}
	return e.fs.Bool(name, def, usage+" ($"+env+")")
}
