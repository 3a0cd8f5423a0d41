package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/adapters/webhook"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notify"
	pwebhook "github.com/notarykit/notarykit/payment/webhook"
	"github.com/notarykit/notarykit/store"
)

// withHostEvents returns a second service on f's store, identical but
// for committing host events with every transition.
func (f *fixture) withHostEvents() (*notary.Service, error) {
	return notary.New(notary.Config{InsecureDevKeys: true, Office: f.office, Store: f.store, Payments: f.pay,
		Logger: slog.New(slog.DiscardHandler), HostEvents: true,
		Admin: notary.AdminPolicy{SessionIdle: 24 * time.Hour, SessionTTL: 48 * time.Hour}})
}

// withHostEndpoints returns a second service on f's store, identical but
// for committing host events with a delivery to each endpoint.
func (f *fixture) withHostEndpoints(eps []notary.HostEndpoint) (*notary.Service, error) {
	return notary.New(notary.Config{InsecureDevKeys: true, Office: f.office, Store: f.store, Payments: f.pay,
		Logger: slog.New(slog.DiscardHandler), HostEndpoints: eps,
		Admin: notary.AdminPolicy{SessionIdle: 24 * time.Hour, SessionTTL: 48 * time.Hour}})
}

// benchHostEventsOnOff alternates slices with host events on and off
// (ABBA, as benchLogOnOff does) at 8 workers on one PostgreSQL schema:
// the cost of recording a host event in each transition's commit. Then,
// the same way, the cost with one host endpoint, whose delivery each
// event also commits. Delivery itself is measured apart (benchWebhooks).
func benchHostEventsOnOff(ctx context.Context, c config, r *Report) error {
	const workers = 8
	env, err := openPG(ctx, c, workers+6)
	if err != nil {
		return err
	}
	defer env.close(ctx)
	f, err := newFixture(ctx, env.store)
	if err != nil {
		return err
	}
	off := f.svc
	on, err := f.withHostEvents()
	if err != nil {
		return err
	}
	endpoint, err := f.withHostEndpoints([]notary.HostEndpoint{{Name: "platform"}})
	if err != nil {
		return err
	}
	users := make([]notary.User, workers)
	apps := make([]notary.Application, workers)
	for i := range workers {
		users[i] = f.user(i)
		if err := f.approve(ctx, users[i]); err != nil {
			return err
		}
		if apps[i], err = f.application(ctx, users[i], false); err != nil {
			return err
		}
	}
	cycle := func(ctx context.Context, w int) error { return f.cycle(ctx, users[w], &apps[w]) }
	res, err := abba(ctx, c, env, f, on, off, workers, cycle)
	if err != nil {
		return err
	}
	r.HostOnTPS, r.HostOffTPS, r.HostOnOffRatio = res.onTPS, res.offTPS, res.ratio
	r.HostCPUOnUS, r.HostCPUOffUS, r.HostCPURatio = res.cpuOnUS, res.cpuOffUS, res.cpuRatio
	fmt.Fprintf(c.log, "bench: host events on %.0f/s, off %.0f/s; %.0f and %.0f µs CPU per transition\n",
		res.onTPS, res.offTPS, res.cpuOnUS, res.cpuOffUS)
	res, err = abba(ctx, c, env, f, endpoint, off, workers, cycle)
	if err != nil {
		return err
	}
	r.HostEndpointOnOffRatio, r.HostEndpointCPURatio = res.ratio, res.cpuRatio
	fmt.Fprintf(c.log, "bench: host events with an endpoint %.0f/s, off %.0f/s; %.0f and %.0f µs CPU per transition\n",
		res.onTPS, res.offTPS, res.cpuOnUS, res.cpuOffUS)
	f.svc = off
	evs, err := on.HostEvents(ctx, uuid.Nil, 1)
	if err != nil || len(evs) == 0 {
		return fmt.Errorf("no host event committed with host events on: %v", err)
	}
	return nil
}

// abbaResult is what abba measured: transitions/s and CPU per transition
// on each side, and the median of the pairs' throughput ratios.
type abbaResult struct {
	onTPS, offTPS, ratio        float64
	cpuOnUS, cpuOffUS, cpuRatio float64 // zero when CPU could not be read
}

// abba runs cycle at workers in 8 pairs of slices, with f.svc set to on
// and to off in ABBA order.
func abba(ctx context.Context, c config, env *pgEnv, f *fixture, on, off *notary.Service, workers int,
	cycle func(context.Context, int) error) (abbaResult, error) {
	const pairs = 8
	var (
		ratios        []float64
		nOn, nOff     int64
		tOn, tOff     time.Duration
		cpuOn, cpuOff time.Duration // this process's and its backends' (cpuTime)
		noCPU         bool
	)
	defer func() { f.svc = off }()
	for i := range pairs {
		order := []bool{true, false}
		if i%2 == 1 {
			order = []bool{false, true}
		}
		tps := map[bool]float64{}
		for _, side := range order {
			f.svc = off
			if side {
				f.svc = on
			}
			cpu0, cpuOK := env.cpuTime(ctx)
			n, d, err := parallel(ctx, workers, c.duration()/pairs, cycle)
			if err != nil {
				return abbaResult{}, err
			}
			cpu1, cpuOK1 := env.cpuTime(ctx)
			noCPU = noCPU || !cpuOK || !cpuOK1
			if side {
				nOn, tOn, cpuOn = nOn+n, tOn+d, cpuOn+cpu1-cpu0
			} else {
				nOff, tOff, cpuOff = nOff+n, tOff+d, cpuOff+cpu1-cpu0
			}
			tps[side] = float64(n) / d.Seconds()
		}
		ratios = append(ratios, tps[true]/tps[false])
	}
	// A cycle is two transitions.
	res := abbaResult{onTPS: 2 * float64(nOn) / tOn.Seconds(), offTPS: 2 * float64(nOff) / tOff.Seconds(), ratio: median(ratios)}
	if !noCPU {
		res.cpuOnUS = float64(cpuOn.Microseconds()) / float64(2*nOn)
		res.cpuOffUS = float64(cpuOff.Microseconds()) / float64(2*nOff)
		res.cpuRatio = res.cpuOffUS / res.cpuOnUS
	}
	return res, nil
}

// benchWebhooks commits host events in the memory store, then drains them
// with one relay through adapters/webhook to a receiver on 127.0.0.1 that
// verifies each signature, and reports webhook deliveries per second.
func benchWebhooks(ctx context.Context, c config, r *Report) error {
	users := 2500
	if c.quick {
		users = 500
	}
	st := store.NewMemory()
	f, err := newFixture(ctx, st)
	if err != nil {
		return err
	}
	secret := []byte("bench webhook secret")
	v := pwebhook.NewVerifier(pwebhook.Options{Secrets: [][]byte{secret}, Clock: f.svc.Clock().Now})
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if _, err := webhook.Verify(req.Context(), v, req.Header, body); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		got.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	endpoints := []webhook.Endpoint{{Name: "bench", URL: srv.URL, Secrets: [][]byte{secret}}}
	if f.svc, err = f.withHostEndpoints(webhook.HostEndpoints(endpoints)); err != nil {
		return err
	}
	sender, err := webhook.New(webhook.Config{Clock: f.svc.Clock(), Client: srv.Client(), Endpoints: endpoints})
	if err != nil {
		return err
	}
	for i := range users {
		if err := f.approve(ctx, f.user(i)); err != nil { // two host events each
			return err
		}
	}
	renderer, err := notify.NewRenderer()
	if err != nil {
		return err
	}
	relay := notify.NewRelay(st, f.svc.Clock(), renderer, map[notary.Channel]notary.Notifier{
		notary.ChannelEmail: noop{}, notary.ChannelInSite: noop{}}, notify.WithHostHandlers(sender.Handlers()),
		notify.WithBatchSize(200))
	start := time.Now()
	if _, err := relay.Drain(ctx); err != nil {
		return err
	}
	d := time.Since(start)
	if want := int64(2 * users); got.Load() != want {
		return fmt.Errorf("webhooks: %d received, %d committed", got.Load(), want)
	}
	r.WebhooksPerS = float64(got.Load()) / d.Seconds()
	fmt.Fprintf(c.log, "bench: %d webhooks in %s\n", got.Load(), d.Round(time.Millisecond))
	return nil
}
