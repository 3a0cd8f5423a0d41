// Command mockpay runs the mock payment provider on its own, as a payment
// provider is deployed: once, shared by every instance of the host. Its
// checkout pages and JSON API are served at -addr; it posts signed
// notifications to -notify-url (the hosts' load balancer, or one host).
//
//	go run ./adapters/mockpay/cmd/mockpay -addr 127.0.0.1:8090 \
//	    -notify-url http://127.0.0.1:8080/api/payments/notify
//
// Every flag also reads an environment variable (MOCKPAY_ADDR, …). Without
// -secret or -api-key, random ones are generated and printed once: give them
// to the hosts (examples/hostapp: -mockpay-url, -mockpay-secret,
// -mockpay-api-key). Payments live in memory: restarting the provider
// forgets them, as a sandbox reset would.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/notarykit/notarykit/adapters/mockpay"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, nil); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "mockpay:", err)
		os.Exit(1)
	}
}

// config is what the flags say.
type config struct {
	addr, baseURL, notifyURL string
	secret, apiKey           string
	minCloseAge, expiryEvery time.Duration
	generated                bool
}

func parse(args []string, out io.Writer) (config, error) {
	fs := flag.NewFlagSet("mockpay", flag.ContinueOnError)
	fs.SetOutput(out)
	env := func(name, def string) string {
		if v, ok := os.LookupEnv(name); ok {
			return v
		}
		return def
	}
	var c config
	fs.StringVar(&c.addr, "addr", env("MOCKPAY_ADDR", "127.0.0.1:8090"), "address to listen on ($MOCKPAY_ADDR)")
	fs.StringVar(&c.baseURL, "base-url", env("MOCKPAY_BASE_URL", ""), "how browsers reach this provider, for checkout links (default http://<addr>) ($MOCKPAY_BASE_URL)")
	fs.StringVar(&c.notifyURL, "notify-url", env("MOCKPAY_NOTIFY_URL", ""), "the hosts' notification endpoint ($MOCKPAY_NOTIFY_URL)")
	fs.StringVar(&c.secret, "secret", env("MOCKPAY_SECRET", ""), "notification signing secret (default random, printed) ($MOCKPAY_SECRET)")
	fs.StringVar(&c.apiKey, "api-key", env("MOCKPAY_API_KEY", ""), "key the JSON API requires (default random, printed) ($MOCKPAY_API_KEY)")
	closeAge, err := time.ParseDuration(env("MOCKPAY_MIN_CLOSE_AGE", mockpay.DefaultMinCloseAge.String()))
	if err != nil {
		return c, fmt.Errorf("$MOCKPAY_MIN_CLOSE_AGE: %w", err)
	}
	fs.DurationVar(&c.minCloseAge, "min-close-age", closeAge, "how long a new payment cannot be closed, like WeChat Pay; negative for never ($MOCKPAY_MIN_CLOSE_AGE)")
	fs.DurationVar(&c.expiryEvery, "expiry-interval", 10*time.Second, "how often payments past their deadline are expired and notified")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.secret == "" {
		c.secret, c.generated = rand.Text(), true
	}
	if c.apiKey == "" {
		c.apiKey, c.generated = rand.Text(), true
	}
	return c, nil
}

// run serves until ctx ends. ready, when set, receives the listening
// address (tests listen on port 0).
func run(ctx context.Context, args []string, out io.Writer, ready chan<- string) error {
	c, err := parse(args, out)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	if c.baseURL == "" {
		c.baseURL = "http://" + addr
	}
	prov := mockpay.New(mockpay.Options{
		Secret: []byte(c.secret), APIKey: c.apiKey, BaseURL: c.baseURL, NotifyURL: c.notifyURL,
		MinCloseAge: c.minCloseAge, ExpiryInterval: c.expiryEvery,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, nil)).With("component", "mockpay"),
	})
	defer prov.Close()
	srv := &http.Server{Handler: prov.Handler(), ReadHeaderTimeout: 10 * time.Second}

	fmt.Fprintf(out, "mockpay on %s\n  checkout and API  %s\n  notifies          %s\n", addr, c.baseURL, orNone(c.notifyURL))
	if c.generated {
		fmt.Fprintf(out, "  secret            %s\n  API key           %s\n  (generated for this run; set -secret and -api-key, or MOCKPAY_SECRET and MOCKPAY_API_KEY, to keep them)\n",
			c.secret, c.apiKey)
	}
	if ready != nil {
		ready <- addr
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(nobody: set -notify-url)"
	}
	return s
}
