package main

import (
	"fmt"
	"time"

	"github.com/notarykit/notarykit/adapters/webhook"
	"github.com/notarykit/notarykit/notary"
)

// InProcessEndpoint is the host endpoint name of Config.OnHostEvent: the
// in-process handler has its own delivery state, like each webhook.
const InProcessEndpoint = "in-process"

// hostEndpoints returns the service's host endpoints and the relay's
// handler of each: one per cfg.Webhooks entry, POSTed by adapters/webhook,
// and InProcessEndpoint for cfg.OnHostEvent. Which endpoint gets which
// event is the service's rule (notary.HostEndpoint); each is delivered,
// retried and dead-lettered on its own. None means host events are off.
func (a *App) hostEndpoints(cfg Config) ([]notary.HostEndpoint, map[string]notary.HostEventHandler, error) {
	var (
		endpoints []notary.HostEndpoint
		handlers  = map[string]notary.HostEventHandler{}
	)
	if len(cfg.Webhooks) > 0 {
		// Signatures are stamped with the service's clock, which exists
		// once the service does; the relay calls no handler before.
		hooks, err := webhook.New(webhook.Config{Endpoints: cfg.Webhooks, Clock: serviceClock{a}})
		if err != nil {
			return nil, nil, fmt.Errorf("webhooks: %w", err)
		}
		endpoints = webhook.HostEndpoints(cfg.Webhooks)
		handlers = hooks.Handlers()
	}
	if cfg.OnHostEvent != nil {
		if _, taken := handlers[InProcessEndpoint]; taken {
			return nil, nil, fmt.Errorf("webhooks: %w", &notary.FieldError{Field: "webhooks.name",
				Reason: fmt.Sprintf("%q is the in-process handler's", InProcessEndpoint)})
		}
		endpoints = append(endpoints, notary.HostEndpoint{Name: InProcessEndpoint})
		handlers[InProcessEndpoint] = cfg.OnHostEvent
	}
	return endpoints, handlers, nil
}

// serviceClock is the app's service's clock, read when asked.
type serviceClock struct{ a *App }

func (c serviceClock) Now() time.Time { return c.a.svc.Clock().Now() }
