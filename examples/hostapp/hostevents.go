package main

import (
	"context"
	"fmt"

	"github.com/notarykit/notarykit/adapters/webhook"
	"github.com/notarykit/notarykit/notary"
)

// hostEventHandler is the relay's handler of host events: cfg.OnHostEvent
// in process, then cfg.Webhooks over HTTP; nil when neither is set (the
// service then commits no host events).
func (a *App) hostEventHandler(cfg Config) (notary.HostEventHandler, error) {
	var hooks *webhook.Sender
	if len(cfg.Webhooks) > 0 {
		var err error
		if hooks, err = webhook.New(webhook.Config{Endpoints: cfg.Webhooks, Clock: a.svc.Clock()}); err != nil {
			return nil, fmt.Errorf("webhooks: %w", err)
		}
	}
	local := cfg.OnHostEvent
	switch {
	case hooks == nil && local == nil:
		return nil, nil
	case hooks == nil:
		return local, nil
	case local == nil:
		return hooks.Deliver, nil
	}
	return func(ctx context.Context, ev notary.HostEvent) error {
		if err := local(ctx, ev); err != nil {
			return err
		}
		return hooks.Deliver(ctx, ev)
	}, nil
}
