package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/notarykit/notarykit/notary"
	pwebhook "github.com/notarykit/notarykit/payment/webhook"
)

// Header names set on every delivery besides payment/webhook's
// DefaultHeaders.
const (
	HeaderID   = "Webhook-Id"
	HeaderType = "Webhook-Event-Type"
)

// DefaultTimeout bounds one POST when Config.Client is nil.
const DefaultTimeout = 30 * time.Second

// Endpoint is one receiver of host events.
type Endpoint struct {
	// Name is the endpoint's notary.HostEndpoint name: its own delivery
	// state in the outbox, its handler in the relay, and what dead letters
	// show. See notary.HostEndpoint for the rules.
	Name string
	// URL is where events are POSTed: http or https.
	URL string
	// Types subscribes the endpoint to these event types; empty means
	// every type. The service decides with them (notary.HostEndpoint.Wants),
	// not the Sender: pass HostEndpoints to notary.Config.
	Types []notary.HostEventType
	// Secrets sign each delivery, one signature each: the current
	// secret, and during a rotation also the previous one.
	Secrets [][]byte
}

// Config configures a Sender.
type Config struct {
	Endpoints []Endpoint
	// Client sends the requests; nil means one with DefaultTimeout.
	Client *http.Client
	// Clock stamps the signatures: the service's clock (Service.Clock).
	Clock notary.Clock
	// UserAgent is sent with every request; "" means "notarykit-webhook/1".
	UserAgent string
}

// Sender POSTs host events to their endpoints. It is safe for concurrent
// use.
type Sender struct {
	endpoints []Endpoint
	client    *http.Client
	clock     notary.Clock
	agent     string
}

// New validates cfg and returns a Sender. Every endpoint needs a unique
// name, an absolute http(s) URL and at least one non-empty secret; the
// error wraps notary.ErrInvalidInput naming the field, e.g.
// "endpoints[1].url". (notary.New checks the names and types further.)
func New(cfg Config) (*Sender, error) {
	if cfg.Clock == nil {
		return nil, &notary.FieldError{Field: "clock", Reason: "required: pass the service's, Service.Clock()"}
	}
	s := &Sender{client: cfg.Client, clock: cfg.Clock, agent: cfg.UserAgent}
	names := map[string]bool{}
	for i, e := range cfg.Endpoints {
		if e.Name == "" || names[e.Name] {
			return nil, &notary.FieldError{Field: fmt.Sprintf("endpoints[%d].name", i), Reason: fmt.Sprintf("%q: a unique name is required", e.Name)}
		}
		names[e.Name] = true
		u, err := url.Parse(e.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, &notary.FieldError{Field: fmt.Sprintf("endpoints[%d].url", i), Reason: fmt.Sprintf("%q is not an http(s) URL", e.URL)}
		}
		if !slices.ContainsFunc(e.Secrets, func(b []byte) bool { return len(b) > 0 }) {
			return nil, &notary.FieldError{Field: fmt.Sprintf("endpoints[%d].secrets", i), Reason: "at least one secret required"}
		}
		e.Types = slices.Clone(e.Types)
		e.Secrets = slices.Clone(e.Secrets)
		s.endpoints = append(s.endpoints, e)
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: DefaultTimeout}
	}
	if s.agent == "" {
		s.agent = "notarykit-webhook/1"
	}
	return s, nil
}

// HostEndpoints returns endpoints as the service's host endpoints, for
// notary.Config.HostEndpoints: the service then commits a delivery of each
// host event to each endpoint that wants its type. It needs no Sender, so
// the service can be made first and the Sender with its clock.
func HostEndpoints(endpoints []Endpoint) []notary.HostEndpoint {
	out := make([]notary.HostEndpoint, len(endpoints))
	for i, e := range endpoints {
		out[i] = notary.HostEndpoint{Name: e.Name, Types: slices.Clone(e.Types)}
	}
	return out
}

// Handlers returns, by endpoint name, the relay's handler of each
// endpoint, for notify.WithHostHandlers. A handler POSTs the event to its
// endpoint alone and returns nil for a 2xx answer, an error wrapping
// notary.ErrPermanent for 410 Gone (the delivery is dead at once), and a
// temporary error for any other answer or none, which the relay retries
// for that endpoint only.
func (s *Sender) Handlers() map[string]notary.HostEventHandler {
	hs := make(map[string]notary.HostEventHandler, len(s.endpoints))
	for _, e := range s.endpoints {
		hs[e.Name] = func(ctx context.Context, ev notary.HostEvent) error { return s.post(ctx, e, ev) }
	}
	return hs
}

func (s *Sender) post(ctx context.Context, e Endpoint, ev notary.HostEvent) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(ev.Body))
	if err != nil {
		return fmt.Errorf("webhook: %s: %w (%w)", e.Name, err, notary.ErrPermanent)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", s.agent)
	req.Header.Set(HeaderID, ev.ID.String())
	req.Header.Set(HeaderType, string(ev.Type))
	pwebhook.Signer{Secrets: e.Secrets}.Sign(req.Header, s.clock.Now(), "", ev.Body)
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %s: %w", e.Name, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusGone:
		return fmt.Errorf("webhook: %s answered %s: %w", e.Name, resp.Status, notary.ErrPermanent)
	default:
		return fmt.Errorf("webhook: %s answered %s", e.Name, resp.Status)
	}
}

// Event is a host event as a receiver decodes it: the document of
// notary.HostEvent, version 1.
type Event struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	APIVersion string          `json:"api_version"`
	OfficeID   string          `json:"office_id"`
	OccurredAt time.Time       `json:"occurred_at"`
	Trigger    string          `json:"trigger"`
	Record     Record          `json:"record"`
	Data       json.RawMessage `json:"data"`
}

// Record names the record an Event is about, and its version after it.
type Record struct {
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	Version int64  `json:"version"`
}

// Verify authenticates a delivery with v (configured with the endpoint's
// secrets, two during a rotation, and a replay store shared by the
// receiver's instances) and decodes its event. Refusals are
// payment/webhook's sentinels, all matching notary.ErrForbidden; a body
// that is signed but not an event document wraps notary.ErrInvalidInput.
func Verify(ctx context.Context, v *pwebhook.Verifier, header http.Header, body []byte) (Event, error) {
	if _, err := v.Verify(ctx, header, body); err != nil {
		return Event{}, err
	}
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil {
		return Event{}, fmt.Errorf("%w: webhook: not an event document: %v", notary.ErrInvalidInput, err)
	}
	if ev.ID == "" || ev.Type == "" {
		return Event{}, fmt.Errorf("%w: webhook: event without id or type", notary.ErrInvalidInput)
	}
	if got := header.Get(HeaderID); got != "" && got != ev.ID {
		return Event{}, fmt.Errorf("%w: webhook: %s %q is not the body's id %q", notary.ErrInvalidInput, HeaderID, got, ev.ID)
	}
	return ev, nil
}
