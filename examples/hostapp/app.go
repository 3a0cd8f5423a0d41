package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/notarykit/notarykit/adapters/banktransfer"
	"github.com/notarykit/notarykit/adapters/console"
	"github.com/notarykit/notarykit/adapters/courier"
	"github.com/notarykit/notarykit/adapters/kuaidi100"
	"github.com/notarykit/notarykit/adapters/mockpay"
	"github.com/notarykit/notarykit/adapters/postgres"
	"github.com/notarykit/notarykit/adapters/smtp"
	"github.com/notarykit/notarykit/adapters/sqlite"
	"github.com/notarykit/notarykit/adapters/tink"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/translog"
	"github.com/notarykit/notarykit/notify"
)

// App is a host backend with notarykit embedded: the notary service on a
// store, the mockpay provider, the outbox relay, the sweep loop and the
// HTTP handler serving the user API, the admin API, the review console, the
// payment-notice endpoint and mockpay.
//
// Create it with New, serve with Run, release it with Close.
type App struct {
	cfg      Config
	log      *slog.Logger
	clock    notary.Clock
	svc      *notary.Service
	store    notary.Store
	evidence EvidenceCatalog
	pay      *mockpay.Provider
	relay    *notify.Relay
	tlog     *translog.Log // the office's transparency log (translog.go)
	metrics  *metrics
	manual   *courier.Manual // the courier when the office has no tracking service
	console  *console.Console

	ln        net.Listener
	server    *http.Server
	handler   http.Handler
	publicURL string

	bootstrapped *notary.AdminAccount
	// hostKeyDigest is the SHA-256 of Config.HostAPIKey; nil turns the
	// host API (hostapi.go) off.
	hostKeyDigest []byte

	closers   []func() error // run by Close in reverse order
	closeOnce sync.Once
	closeErr  error
}

// New opens the store, builds the service and its adapters, creates the
// bootstrap admin if the office has none, and listens. Nothing is served
// until Run. On error everything opened so far is closed again.
func New(ctx context.Context, cfg Config) (_ *App, err error) {
	cfg = cfg.withDefaults()
	a := &App{cfg: cfg, log: cfg.Logger, clock: cfg.Clock, evidence: cfg.Evidence}
	defer func() {
		if err != nil {
			_ = a.Close()
		}
	}()

	if cfg.HostAPIKey != "" {
		if len(cfg.HostAPIKey) < minHostAPIKey {
			return nil, fmt.Errorf("host API key: %w", &notary.FieldError{Field: "host_api_key",
				Reason: fmt.Sprintf("at least %d characters", minHostAPIKey)})
		}
		d := sha256.Sum256([]byte(cfg.HostAPIKey))
		a.hostKeyDigest = d[:]
	}

	// 1. The listener first: its address is where mockpay's client and
	//    notifications reach this process.
	a.ln = cfg.Listener
	if a.ln == nil {
		if a.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return nil, fmt.Errorf("listen: %w", err)
		}
	}
	a.closers = append(a.closers, ignoreClosed(a.ln.Close))
	internal := "http://" + dialable(a.ln.Addr())
	a.publicURL = strings.TrimRight(cfg.PublicURL, "/")
	if a.publicURL == "" {
		a.publicURL = internal
	}

	// 2. The store.
	if a.store, err = a.openStore(ctx); err != nil {
		return nil, err
	}

	// 3. The payment provider: by default mockpay runs in this process,
	//    its pages and API mounted under /mockpay/, posting signed notices
	//    to our own /api/payments/notify; with MockPayURL, a standalone
	//    mockpay shared by every instance. Either way, replayed notices are
	//    refused by every instance: the replay memory is the store. A real
	//    host would use its provider's notary.PaymentGateway adapter.
	gateway, err := a.paymentGateway(cfg, internal)
	if err != nil {
		return nil, err
	}

	// 4. The notary service. The courier is Kuaidi100 for an office with an
	//    account, else the manual tracker admins report deliveries to.
	var track notary.Courier
	if cfg.Kuaidi100 != nil {
		if track, err = kuaidi100.New(*cfg.Kuaidi100); err != nil {
			return nil, fmt.Errorf("kuaidi100: %w", err)
		}
	} else {
		a.manual = courier.NewManual()
		track = a.manual
	}
	if a.metrics, err = newMetrics(); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, func() error { return a.metrics.provider.Shutdown(context.Background()) })
	sealer := cfg.Sealer
	if sealer == nil && cfg.KeysetPath != "" {
		src, err := tink.LoadOrCreateFile(ctx, cfg.KeysetPath)
		if err != nil {
			return nil, fmt.Errorf("keyset: %w", err)
		}
		if sealer, err = tink.New(ctx, src); err != nil {
			return nil, fmt.Errorf("keyset: %w", err)
		}
	}
	hostEndpoints, hostHandlers, err := a.hostEndpoints(cfg)
	if err != nil {
		return nil, err
	}
	a.svc, err = notary.New(notary.Config{
		Observer: a.metrics.observer,
		Sealer:   sealer,
		// The example runs with no setup: without a keyset it seals with
		// the public development key, and it keys blind indexes with the
		// development key. A production host plugs in its KMS-backed
		// Sealer and Blinder and leaves this off.
		InsecureDevKeys: true,
		Office:          cfg.Office,
		Store:           a.store,
		Payments:        gateway,
		BankTransfer:    bankTransfer(cfg.Office),
		Courier:         track,
		Clock:           cfg.Clock,
		IDs:             cfg.IDs,
		Logger:          a.log.With("component", "notary"),
		Admin:           cfg.AdminPolicy,
		// Host events: committed with every transition, with a delivery
		// to each endpoint that listens to its type (Webhooks,
		// OnHostEvent); none when no endpoint is configured.
		HostEndpoints: hostEndpoints,
		// The host API lists host events (hostapi.go): with its key they
		// are committed even when no endpoint is pushed to.
		HostEvents: cfg.HostAPIKey != "",
	})
	if err != nil {
		return nil, fmt.Errorf("notary: %w", err)
	}
	if a.tlog, err = a.newLog(); err != nil {
		return nil, fmt.Errorf("translog: %w", err)
	}

	// 5. Notices: rendered from the SDK's templates, in-site messages into
	//    the store's inbox, email by SMTP or to the log.
	renderer, err := notify.NewRenderer(notify.WithDefaultLocale(a.svc.Office().Locale))
	if err != nil {
		return nil, err
	}
	mailer, err := a.mailer()
	if err != nil {
		return nil, err
	}
	a.relay = notify.NewRelay(a.store, a.svc.Clock(), renderer, map[notary.Channel]notary.Notifier{
		notary.ChannelEmail:  mailer,
		notary.ChannelInSite: notify.NewInboxNotifier(a.store),
	}, notify.WithPollInterval(cfg.RelayInterval), notify.WithObserver(a.metrics.observer),
		notify.WithLogger(a.log.With("component", "relay")), notify.WithHostHandlers(hostHandlers))
	if st, ok := a.store.(notary.OutboxStatser); ok {
		if _, err := a.metrics.observer.ObserveOutbox(st, a.svc.Clock()); err != nil {
			return nil, err
		}
	}

	// 6. The first admin.
	if err := a.bootstrap(ctx); err != nil {
		return nil, err
	}

	// 7. HTTP.
	if a.console, err = console.New(a.svc, console.Options{
		Prefix:          "/admin",
		Secret:          cfg.SessionSecret,
		InsecureCookies: cfg.InsecureCookies,
		Logger:          a.log.With("component", "console"),
	}); err != nil {
		return nil, err
	}
	a.handler = a.routes()
	a.server = &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	return a, nil
}

// openStore opens the configured store and registers its Close.
func (a *App) openStore(ctx context.Context) (notary.Store, error) {
	cfg := a.cfg
	switch {
	case cfg.Store != nil:
		a.log.Info("store: host-provided")
		return cfg.Store, nil
	case cfg.PostgresURL != "":
		var opts []postgres.Option
		if cfg.PostgresSchema != "" {
			opts = append(opts, postgres.WithSchema(cfg.PostgresSchema))
		}
		st, err := postgres.Open(ctx, cfg.PostgresURL, opts...)
		if err != nil {
			return nil, err
		}
		a.closers = append(a.closers, func() error { st.Close(); return nil })
		if err := st.Migrate(ctx); err != nil {
			return nil, err
		}
		a.log.Info("store: postgresql", "schema", cfg.PostgresSchema)
		return st, nil
	default:
		st, err := sqlite.Open(ctx, cfg.SQLitePath) // migrates too
		if err != nil {
			return nil, err
		}
		a.closers = append(a.closers, st.Close)
		a.log.Info("store: sqlite", "path", cfg.SQLitePath)
		return st, nil
	}
}

// mailer returns the notifier of the email channel.
func (a *App) mailer() (notary.Notifier, error) {
	switch {
	case a.cfg.Mailer != nil:
		return a.cfg.Mailer, nil
	case a.cfg.SMTP != nil:
		sc := *a.cfg.SMTP
		if sc.Clock == nil {
			sc.Clock = a.clock // mail is dated on the service's clock
		}
		n, err := smtp.New(sc)
		if err != nil {
			return nil, err
		}
		a.closers = append(a.closers, n.Close)
		a.log.Info("mail: smtp", "host", a.cfg.SMTP.Host, "port", a.cfg.SMTP.Port, "tls", a.cfg.SMTP.TLSPolicy, "implicit_tls", a.cfg.SMTP.ImplicitTLS)
		return n, nil
	}
	a.log.Info("mail: no SMTP server configured; emails are logged, not sent")
	return logMailer{a.log.With("component", "mail")}, nil
}

// bootstrap creates the office's first admin when configured to and the
// office has none yet.
func (a *App) bootstrap(ctx context.Context) error {
	b := a.cfg.Bootstrap
	if b.Email == "" {
		return nil
	}
	if b.Name == "" {
		b.Name = "Supervisor"
	}
	acct, err := a.svc.Admins.Bootstrap(ctx, b.Email, b.Name, b.Password)
	switch {
	case errors.Is(err, notary.ErrConflict):
		a.log.Info("admin bootstrap skipped: the office already has admins")
		return nil
	case err != nil:
		return fmt.Errorf("bootstrap admin: %w", err)
	}
	a.bootstrapped = &acct
	a.log.Info("bootstrap admin created", "email", acct.Email, "role", acct.Role)
	return nil
}

// Handler returns the app's HTTP handler (see routes.go).
func (a *App) Handler() http.Handler { return a.handler }

// URL returns the app's public base URL, without a trailing slash.
func (a *App) URL() string { return a.publicURL }

// Service returns the notary service.
func (a *App) Service() *notary.Service { return a.svc }

// Store returns the store.
func (a *App) Store() notary.Store { return a.store }

// paymentGateway starts the in-process mockpay, or connects to the
// standalone one at cfg.MockPayURL.
func (a *App) paymentGateway(cfg Config, internal string) (*mockpay.Client, error) {
	if cfg.MockPayURL != "" {
		if len(cfg.MockPaySecret) == 0 || cfg.MockPayAPIKey == "" {
			return nil, errors.New("a standalone mockpay needs its secret and API key")
		}
		return mockpay.NewClient(mockpay.ClientOptions{
			BaseURL: cfg.MockPayURL, Secret: cfg.MockPaySecret, APIKey: cfg.MockPayAPIKey,
			Clock: cfg.Clock.Now, Replay: a.store,
		}), nil
	}
	a.pay = mockpay.New(mockpay.Options{
		Secret:        cfg.MockPaySecret,
		BaseURL:       a.publicURL + "/mockpay", // checkout links for browsers
		NotifyURL:     internal + "/api/payments/notify",
		Clock:         cfg.Clock.Now,
		RetrySchedule: cfg.MockPayRetry,
		Logger:        a.log.With("component", "mockpay"),
	})
	a.closers = append(a.closers, a.pay.Close)
	return mockpay.NewClient(mockpay.ClientOptions{
		BaseURL: internal + "/mockpay", // server-to-server calls stay on the loopback
		Secret:  a.pay.Secret(),
		APIKey:  a.pay.APIKey(),
		Clock:   cfg.Clock.Now,
		Replay:  a.store,
	}), nil
}

// MockPay returns the in-process payment provider (nil with a standalone
// one).
func (a *App) MockPay() *mockpay.Provider { return a.pay }

// Bootstrapped returns the admin account New created, if it created one.
func (a *App) Bootstrapped() (notary.AdminAccount, bool) {
	if a.bootstrapped == nil {
		return notary.AdminAccount{}, false
	}
	return *a.bootstrapped, true
}

// Run serves HTTP and runs the background workers — the outbox relay and
// the sweep loop — until ctx ends; then it shuts down gracefully: the
// server stops accepting and finishes the requests in flight, the workers
// stop, and the outbox is drained once more so that notices committed by
// the last requests go out now rather than at the next start (any that
// cannot are kept in the outbox, never lost). Run returns nil after a clean
// shutdown. Call Close afterwards.
func (a *App) Run(ctx context.Context) error {
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	var wg sync.WaitGroup
	wg.Go(func() { _ = a.relay.Run(workCtx) })
	wg.Go(func() { _ = a.tlog.Run(workCtx, a.cfg.LogInterval) })
	if a.cfg.SweepInterval > 0 {
		wg.Go(func() { a.sweepLoop(workCtx) })
	}
	if a.cfg.TrackInterval > 0 {
		wg.Go(func() {
			a.every(workCtx, a.cfg.TrackInterval, "track", func(ctx context.Context) error { _, err := a.Track(ctx); return err })
		})
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- a.server.Serve(a.ln) }()
	a.log.Info("serving", "url", a.publicURL)

	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr: // the listener failed
	}
	a.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.ShutdownTimeout)
	defer cancel()
	if serr := a.server.Shutdown(sctx); serr != nil {
		err = errors.Join(err, fmt.Errorf("http shutdown: %w", serr))
	}
	stopWork()
	wg.Wait()
	if n, derr := a.relay.Drain(sctx); derr != nil {
		a.log.Warn("final outbox drain incomplete; the rest stays in the outbox", "delivered", n, "err", derr)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	a.log.Info("stopped")
	return err
}

// sweepLoop runs Sweep every SweepInterval until ctx ends.
func (a *App) sweepLoop(ctx context.Context) {
	t := time.NewTicker(a.cfg.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := a.Sweep(ctx); err != nil && ctx.Err() == nil {
				a.log.Error("sweep failed", "err", err)
			}
		}
	}
}

// Sweep runs the service's background duties once: unpaid applications
// past their deadline are cancelled (or reconciled when the provider says
// they were paid), shipped certificates auto-confirmed, failed refunds
// retried.
func (a *App) Sweep(ctx context.Context) (notary.SweepResult, error) {
	res, err := a.svc.Applications.Sweep(ctx)
	if res.Expired+res.Reconciled+res.AutoConfirmed+res.Refunded+res.Closed+len(res.Failed)+res.Stuck > 0 {
		// Each failure was logged by the SDK with its record; this is the
		// summary.
		a.log.Info("sweep", "expired", res.Expired, "reconciled", res.Reconciled,
			"auto_confirmed", res.AutoConfirmed, "refunded", res.Refunded, "closed", res.Closed,
			"failed", res.Failed, "backing_off", res.BackingOff, "stuck", res.Stuck)
	}
	return res, err
}

// every runs fn every interval until ctx ends, logging failures.
func (a *App) every(ctx context.Context, interval time.Duration, name string, fn func(context.Context) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := fn(ctx); err != nil && ctx.Err() == nil {
				a.log.Error(name+" failed", "err", err)
			}
		}
	}
}

// Track asks the courier once about every consignment in transit and
// records what changed (the office is told when materials arrive, the user
// when the certificate does).
func (a *App) Track(ctx context.Context) (notary.TrackResult, error) {
	res, err := a.svc.Applications.Track(ctx)
	if res.Updated > 0 || res.Failed > 0 {
		a.log.Info("track", "checked", res.Checked, "updated", res.Updated, "delivered", res.Delivered, "failed", res.Failed)
	}
	for _, e := range res.Errors {
		a.log.Warn("track: courier or store failure; asked again next pass", "err", e)
	}
	return res, err
}

// DrainOutbox delivers every notice that is due now and returns how many.
func (a *App) DrainOutbox(ctx context.Context) (int, error) { return a.relay.Drain(ctx) }

// Close releases what New opened — the listener, mockpay's background
// work, the SMTP connection and the store — in reverse order. It is safe to
// call more than once.
func (a *App) Close() error {
	a.closeOnce.Do(func() {
		var errs []error
		for i := len(a.closers) - 1; i >= 0; i-- {
			errs = append(errs, a.closers[i]())
		}
		a.closeErr = errors.Join(errs...)
	})
	return a.closeErr
}

// dialable turns a listen address into one a client can dial: an
// unspecified IP (0.0.0.0, ::) becomes the loopback address.
func dialable(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() {
		if ip.To4() == nil && ip != nil {
			ip = net.IPv6loopback
		} else {
			ip = net.IPv4(127, 0, 0, 1)
		}
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(tcp.Port))
}

// ignoreClosed drops the error of closing what is already closed (the
// server closes the listener on Shutdown).
func ignoreClosed(close func() error) func() error {
	return func() error {
		if err := close(); err != nil && !errors.Is(err, net.ErrClosed) {
			return err
		}
		return nil
	}
}

// randomSecret returns n random bytes.
func randomSecret(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return b
}

// bankTransfer is the bank transfer gateway when the office has an
// account for transfers, nil (wallet payment only) when it has none.
func bankTransfer(o notary.Office) notary.PaymentGateway {
	if o.BankAccount == (notary.BankAccount{}) {
		return nil
	}
	return banktransfer.New()
}
