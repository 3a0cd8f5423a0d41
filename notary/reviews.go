package notary

import (
	"context"
	"strings"

	"github.com/google/uuid"
)

// Reviews is the review unit (审核单元): the office's queues and decisions on
// filings, preliminary reviews (初审) and final reviews. Every method needs
// an Admin of the office.
//
// Decisions take the version of the record the admin reviewed (the
// Version of the Filing or Application shown to the admin); when it is no
// longer the stored version the decision fails with ErrConflict, so two
// admins deciding the same item never overwrite each other and the loser
// of a race learns that the record changed. The version is required: 0 (or
// a negative version) is refused with ErrInvalidInput naming "version"
// before anything is read or changed.
type Reviews struct{ s *Service }

// FilingQueue lists the office's filings in state (oldest first), after
// the cursor, their personal fields masked. Errors: ErrForbidden, ErrUnauthenticated.
func (r *Reviews) FilingQueue(ctx context.Context, admin Admin, state FilingState, after *Cursor, limit int) ([]Filing, error) {
	if err := r.s.checkAdmin(ctx, admin); err != nil {
		return nil, err
	}
	list, err := r.s.store.ListFilings(ctx, ListQuery{OfficeID: r.s.office.ID, States: []string{string(state)}, After: after, Limit: limit})
	for i := range list {
		list[i] = r.s.masked(ctx, list[i])
	}
	return list, err
}

// ApplicationQueue lists the office's applications in state (oldest
// first), after the cursor. Errors: ErrForbidden, ErrUnauthenticated.
func (r *Reviews) ApplicationQueue(ctx context.Context, admin Admin, state ApplicationState, after *Cursor, limit int) ([]Application, error) {
	if err := r.s.checkAdmin(ctx, admin); err != nil {
		return nil, err
	}
	return r.s.store.ListApplications(ctx, ListQuery{OfficeID: r.s.office.ID, States: []string{string(state)}, After: after, Limit: limit})
}

// ApproveFiling approves a filing under review; its content becomes the
// revision in force and the user is told. Errors: ErrNotFound,
// ErrForbidden, ErrUnauthenticated, ErrConflict (the filing is no longer
// at version), ErrInvalidTransition, ErrInvalidInput (version is not
// positive).
func (r *Reviews) ApproveFiling(ctx context.Context, admin Admin, id uuid.UUID, version int64) (Filing, error) {
	if err := checkVersion(version); err != nil {
		return Filing{}, err
	}
	return r.decideFiling(ctx, id, FilingApprove, transition[Filing]{actor: admin, versioned: true, seen: version, apply: func(n *Filing) {
		c := n.Content
		n.Approved = &c
		n.ApprovedRevision = n.Revision
		n.Reason = ""
	}})
}

// RejectFiling rejects a filing under review with a reason the user is
// told. Errors: as ApproveFiling, plus ErrInvalidInput for the reason.
func (r *Reviews) RejectFiling(ctx context.Context, admin Admin, id uuid.UUID, version int64, reason string) (Filing, error) {
	if err := checkVersion(version); err != nil {
		return Filing{}, err
	}
	reason, err := checkReason(reason)
	if err != nil {
		return Filing{}, err
	}
	return r.decideFiling(ctx, id, FilingReject, transition[Filing]{actor: admin, versioned: true, seen: version, reason: reason,
		apply: func(n *Filing) { n.Reason = reason }})
}

// ApprovePreliminary passes the preliminary review: the user is sent the
// 初审通过告知书 with the list of paper materials and the office's mailing
// address. Errors: as ApproveFiling.
func (r *Reviews) ApprovePreliminary(ctx context.Context, admin Admin, id uuid.UUID, version int64) (Application, error) {
	if err := checkVersion(version); err != nil {
		return Application{}, err
	}
	return r.decide(ctx, id, AppApprovePreliminary, transition[Application]{actor: admin, versioned: true, seen: version})
}

// RejectPreliminary fails the preliminary review with a reason: the user is
// sent the 初审未过通知书, the evidence is released and the fee refunded per
// the office's policy. Errors: as RejectFiling.
func (r *Reviews) RejectPreliminary(ctx context.Context, admin Admin, id uuid.UUID, version int64, reason string) (Application, error) {
	if err := checkVersion(version); err != nil {
		return Application{}, err
	}
	reason, err := checkReason(reason)
	if err != nil {
		return Application{}, err
	}
	app, err := r.decide(ctx, id, AppRejectPreliminary, transition[Application]{actor: admin, versioned: true, seen: version, reason: reason,
		apply: func(n *Application) { n.Reason = reason }})
	if err != nil {
		return Application{}, err
	}
	return r.s.Applications.refund(ctx, app, reason)
}

// RejectFinal fails the final review of the paper materials with a reason:
// the user is sent the 审核未过告知书 and may mail the materials again.
// Errors: as RejectFiling.
func (r *Reviews) RejectFinal(ctx context.Context, admin Admin, id uuid.UUID, version int64, reason string) (Application, error) {
	if err := checkVersion(version); err != nil {
		return Application{}, err
	}
	reason, err := checkReason(reason)
	if err != nil {
		return Application{}, err
	}
	return r.decide(ctx, id, AppRejectFinal, transition[Application]{actor: admin, versioned: true, seen: version, reason: reason,
		apply: func(n *Application) { n.Reason = reason }})
}

// ApproveFinal passes the final review and records the number of the
// certificate now in production. Errors: as RejectFiling.
func (r *Reviews) ApproveFinal(ctx context.Context, admin Admin, id uuid.UUID, version int64, certificateNumber string) (Application, error) {
	if err := checkVersion(version); err != nil {
		return Application{}, err
	}
	certificateNumber = strings.TrimSpace(certificateNumber)
	if err := CheckText(certificateNumber, 1, 64); err != nil {
		return Application{}, invalid("certificate_number", "%v", err)
	}
	return r.decide(ctx, id, AppApproveFinal, transition[Application]{actor: admin, versioned: true, seen: version, apply: func(n *Application) {
		n.CertificateNumber = certificateNumber
		n.Reason = ""
	}})
}

// Ship records the courier consignment carrying the paper certificate to
// the user. Errors: as RejectFiling.
func (r *Reviews) Ship(ctx context.Context, admin Admin, id uuid.UUID, version int64, carrier, trackingNumber string) (Application, error) {
	if err := checkVersion(version); err != nil {
		return Application{}, err
	}
	sh, err := r.s.normalizeShipment(carrier, trackingNumber)
	if err != nil {
		return Application{}, err
	}
	return r.decide(ctx, id, AppShip, transition[Application]{actor: admin, versioned: true, seen: version, apply: func(n *Application) {
		sh.At = n.UpdatedAt
		n.Certificate = &sh
	}})
}

// checkVersion refuses a decision that does not name the version the admin
// saw.
func checkVersion(version int64) error {
	if version <= 0 {
		return invalid("version", "the version of the record as reviewed is required, got %d", version)
	}
	return nil
}

func (r *Reviews) decideFiling(ctx context.Context, id uuid.UUID, trigger FilingTrigger, t transition[Filing]) (Filing, error) {
	rec, actor, err := load(ctx, r.s, t.actor, id, r.s.store.Filing, ReviewReader.FilingForReview)
	if err != nil {
		return Filing{}, err
	}
	t.actor = actor
	return r.s.maskedErr(ctx)(r.s.fireFiling(ctx, rec, trigger, t))
}

func (r *Reviews) decide(ctx context.Context, id uuid.UUID, trigger ApplicationTrigger, t transition[Application]) (Application, error) {
	app, actor, err := load(ctx, r.s, t.actor, id, r.s.store.Application, ReviewReader.ApplicationForReview)
	if err != nil {
		return Application{}, err
	}
	t.actor = actor
	return r.s.fireApplication(ctx, app, trigger, t)
}
