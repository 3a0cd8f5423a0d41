package notary

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// AutoConfirmBasis says when the auto-confirmation countdown of a shipped
// certificate starts.
type AutoConfirmBasis string

// Auto-confirmation bases.
const (
	// AutoConfirmFromDelivery counts from the day the courier reports the
	// certificate delivered. While the courier reports it travelling, the
	// countdown has not started; when the courier reports nothing at all
	// (no tracking, or a carrier without status), it counts from shipping.
	// "" means this.
	AutoConfirmFromDelivery AutoConfirmBasis = "delivery"
	// AutoConfirmFromShipping counts from shipping, whatever the courier
	// says.
	AutoConfirmFromShipping AutoConfirmBasis = "shipping"
)

// AutoConfirmAt returns when receipt of the application's shipped
// certificate is confirmed automatically, and false when it is not (yet):
// auto-confirmation is off, nothing was shipped, or, counting from
// delivery, the courier reports the certificate still on its way.
func (o Office) AutoConfirmAt(a Application) (time.Time, bool) {
	c := a.Certificate
	if o.AutoConfirmAfter <= 0 || c == nil {
		return time.Time{}, false
	}
	if o.AutoConfirmFrom != AutoConfirmFromShipping && c.Tracking != nil && c.Tracking.State != TrackingUnknown {
		if !c.Tracking.Delivered() {
			return time.Time{}, false
		}
		return c.Tracking.DeliveredAt.Add(o.AutoConfirmAfter), true
	}
	return c.At.Add(o.AutoConfirmAfter), true
}

// TrackResult counts what one tracking pass did.
type TrackResult struct {
	// Checked is how many consignments the courier was asked about.
	Checked int
	// Updated is how many status changes were recorded, deliveries
	// included.
	Updated int
	// Delivered is how many deliveries were recorded.
	Delivered int
	// Failed is how many consignments could not be checked or recorded;
	// they are asked about again on the next pass.
	Failed int
	// Errors holds the first few failures, each naming its application.
	Errors []error
}

// maxTrackErrors bounds TrackResult.Errors.
const maxTrackErrors = 10

func (r *TrackResult) fail(id uuid.UUID, err error) {
	r.Failed++
	if len(r.Errors) < maxTrackErrors {
		r.Errors = append(r.Errors, fmt.Errorf("application %s: %w", id, err))
	}
}

// tracked says, per state, which consignment is travelling and which
// triggers record its changes.
var tracked = map[ApplicationState]struct {
	shipment  func(*Application) **Shipment
	change    ApplicationTrigger
	delivered ApplicationTrigger
}{
	PendingFinalReview: {func(a *Application) **Shipment { return &a.Materials }, AppTrackMaterials, AppMaterialsDelivered},
	CertificateShipped: {func(a *Application) **Shipment { return &a.Certificate }, AppTrackCertificate, AppCertificateDelivered},
}

// Track is one pass of the tracker: for every application whose paper
// materials are on their way to the office (PendingFinalReview) or whose
// certificate is on its way to the user (CertificateShipped), and that is
// not yet delivered, it asks the Courier for the consignment's status and
// records a change as one audited transition: the office is told when the
// materials arrive, the user when the certificate does (with the
// auto-confirmation date). A consignment the courier does not know yet is
// left alone; a courier or store failure on one application is counted in
// the result and never stops the others, and nothing is changed for it.
// Several processes may run Track at once: each change is version-checked,
// so a change is recorded once. Hosts run it on a schedule (Kuaidi100 asks
// for at least 30 minutes between queries of one number).
//
// Track fails only when listing applications fails or no Courier is
// configured (ErrInvalidInput naming "courier").
func (a *Applications) Track(ctx context.Context) (TrackResult, error) {
	s := a.s
	var res TrackResult
	if s.courier == nil {
		return res, &FieldError{Field: "courier", Reason: "no Courier configured to track with"}
	}
	q := ListQuery{States: []string{string(PendingFinalReview), string(CertificateShipped)}}
	err := s.each(ctx, q, func(app Application) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		changed, delivered, err := s.trackOne(ctx, app, &res)
		switch {
		case err == nil:
			if changed {
				res.Updated++
			}
			if delivered {
				res.Delivered++
			}
		case errors.Is(err, ErrConflict), errors.Is(err, ErrInvalidTransition):
			// Another process or an admin changed the record meanwhile;
			// the next pass looks again.
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			res.fail(app.ID, err)
		}
		return nil
	})
	return res, err
}

// trackOne asks about one application's travelling consignment and records
// a change. It reports whether a change and a delivery were recorded.
func (s *Service) trackOne(ctx context.Context, app Application, res *TrackResult) (changed, delivered bool, err error) {
	rule, ok := tracked[app.State]
	if !ok {
		return false, false, nil
	}
	sh := *rule.shipment(&app)
	if sh == nil || sh.Tracking.Delivered() {
		return false, false, nil
	}
	res.Checked++
	st, err := s.courier.Track(ctx, sh.Carrier, sh.TrackingNumber)
	if errors.Is(err, ErrNotFound) {
		return false, false, nil // not scanned yet
	}
	if err != nil {
		return false, false, fmt.Errorf("courier %s %s: %w", sh.Carrier, sh.TrackingNumber, err)
	}
	now := s.now()
	next := trackingOf(st, now)
	if sameTracking(sh.Tracking, next) {
		return false, false, nil
	}
	trigger := rule.change
	if next.Delivered() {
		trigger = rule.delivered
	}
	from := TrackingUnknown
	if sh.Tracking != nil {
		from = sh.Tracking.State
	}
	reason := fmt.Sprintf("courier %s %s: %s", sh.Carrier, sh.TrackingNumber, trackingWord(next.State))
	if from != next.State {
		reason = fmt.Sprintf("courier %s %s: %s → %s", sh.Carrier, sh.TrackingNumber, trackingWord(from), trackingWord(next.State))
	}
	_, err = s.fireApplication(ctx, app, trigger, transition[Application]{
		actor: system{"tracker"}, seen: app.Version, reason: reason,
		apply: func(n *Application) {
			p := rule.shipment(n)
			copied := **p
			next.UpdatedAt = n.UpdatedAt
			copied.Tracking = &next
			*p = &copied
		},
	})
	if err != nil {
		return false, false, err
	}
	return true, next.Delivered(), nil
}

// trackingOf turns a courier's report into what is stored: a state (the
// report's, or delivered/in transit when the courier only says delivered
// or lists scans), the delivery time (now when the courier gives none),
// and at most MaxTrackingEvents scans, oldest first.
func trackingOf(st TrackingStatus, now time.Time) Tracking {
	t := Tracking{State: st.State, UpdatedAt: now}
	if st.Delivered {
		t.State = TrackingDelivered
	}
	if t.State == TrackingUnknown && len(st.Events) > 0 {
		t.State = TrackingInTransit
	}
	if t.State == TrackingDelivered {
		t.DeliveredAt = st.DeliveredAt.UTC().Truncate(time.Microsecond)
		if t.DeliveredAt.IsZero() {
			t.DeliveredAt = now
		}
	}
	evs := slices.Clone(st.Events)
	slices.SortStableFunc(evs, func(a, b TrackingEvent) int { return a.At.Compare(b.At) })
	if len(evs) > MaxTrackingEvents {
		evs = evs[len(evs)-MaxTrackingEvents:]
	}
	for i := range evs {
		evs[i].At = evs[i].At.UTC().Truncate(time.Microsecond) // as stores keep times
	}
	t.Events = evs
	return t
}

// sameTracking reports whether next says nothing new compared with prev:
// the same state, delivery time and scans.
func sameTracking(prev *Tracking, next Tracking) bool {
	if prev == nil {
		return next.State == TrackingUnknown && len(next.Events) == 0
	}
	return prev.State == next.State && prev.DeliveredAt.Equal(next.DeliveredAt) &&
		slices.EqualFunc(prev.Events, next.Events, func(a, b TrackingEvent) bool {
			return a.At.Equal(b.At) && a.Location == b.Location && a.Description == b.Description
		})
}

// trackingWord names a tracking state in an audit reason.
func trackingWord(s TrackingState) string {
	if s == TrackingUnknown {
		return "no status"
	}
	return string(s)
}
