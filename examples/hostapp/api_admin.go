package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// Review queues: the states an admin lists, the first of each being the
// default queue.
var (
	filingQueues = []notary.FilingState{notary.FilingPendingReview, notary.FilingApproved, notary.FilingRejected}

	applicationQueues = []notary.ApplicationState{
		notary.PendingPreliminaryReview, notary.PendingFinalReview, notary.CertificateInProduction,
		notary.AwaitingPayment, notary.AwaitingMaterials, notary.MaterialsRejected,
		notary.CertificateShipped, notary.Completed, notary.PreliminaryRejected, notary.Cancelled,
	}
)

type adminKey struct{}

// adminFrom returns the admin adminBearer put in the request's context.
func adminFrom(r *http.Request) notary.Admin {
	a, _ := r.Context().Value(adminKey{}).(notary.Admin)
	return a
}

// adminBearer authenticates the admin API: the bearer token is an SDK
// session token from POST /api/admin/login, checked with
// Admins.Authenticate on every request.
func (a *App) adminBearer(next http.Handler) http.Handler {
	return a.api(func(w http.ResponseWriter, r *http.Request) error {
		token, ok := bearerToken(r)
		if !ok {
			return fmt.Errorf("%w: send Authorization: Bearer <token> from POST /api/admin/login", notary.ErrUnauthenticated)
		}
		admin, err := a.svc.Admins.Authenticate(r.Context(), token)
		if err != nil {
			return err
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), adminKey{}, admin)))
		return nil
	})
}

func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// adminRoutes mounts the admin side of the JSON API.
func (a *App) adminRoutes(mux *http.ServeMux) {
	mux.Handle("POST /api/admin/login", a.api(a.adminLogin))
	handle := func(pattern string, h handlerFunc) { mux.Handle(pattern, a.adminBearer(a.api(h))) }

	handle("POST /api/admin/logout", a.adminLogout)
	handle("GET /api/admin/me", a.adminMe)

	handle("GET /api/admin/filings", a.filingQueue)
	handle("GET /api/admin/filings/{id}", a.adminGetFiling)
	handle("POST /api/admin/filings/{id}/approve", a.approveFiling)
	handle("POST /api/admin/filings/{id}/reject", a.rejectFiling)

	handle("GET /api/admin/applications", a.applicationQueue)
	handle("GET /api/admin/applications/{id}", a.adminGetApplication)
	handle("POST /api/admin/applications/{id}/preliminary/approve", a.approvePreliminary)
	handle("POST /api/admin/applications/{id}/preliminary/reject", a.rejectPreliminary)
	handle("POST /api/admin/applications/{id}/final/approve", a.approveFinal)
	handle("POST /api/admin/applications/{id}/final/reject", a.rejectFinal)
	handle("POST /api/admin/applications/{id}/ship", a.ship)
	handle("POST /api/admin/applications/{id}/delivered", a.markDelivered)

	handle("GET /api/admin/records/{id}/audit", a.auditTrail)
	a.financeRoutes(handle)
}

// --- Login unit ---

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token     string    `json:"token"`      // shown once; send as Authorization: Bearer <token>
	ExpiresAt time.Time `json:"expires_at"` // the session's absolute end; it ends earlier when idle
	Admin     adminView `json:"admin"`
}

func (a *App) adminLogin(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	token, admin, err := a.svc.Admins.Login(r.Context(), req.Email, req.Password)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, loginResponse{Token: token, ExpiresAt: admin.SessionExpiresAt, Admin: newAdminView(admin)})
	return nil
}

func (a *App) adminLogout(w http.ResponseWriter, r *http.Request) error {
	token, _ := bearerToken(r)
	if err := a.svc.Admins.Logout(r.Context(), token); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *App) adminMe(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, newAdminView(adminFrom(r)))
	return nil
}

// --- Queues ---

// queueState parses ?state= against the allowed queues (the first is the
// default).
func queueState[S ~string](r *http.Request, allowed []S) (S, error) {
	s := S(r.URL.Query().Get("state"))
	if s == "" {
		return allowed[0], nil
	}
	if !slices.Contains(allowed, s) {
		return "", &notary.FieldError{Field: "state", Reason: "not a queue: " + string(s)}
	}
	return s, nil
}

func (a *App) filingQueue(w http.ResponseWriter, r *http.Request) error {
	state, err := queueState(r, filingQueues)
	if err != nil {
		return err
	}
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	list, err := a.svc.Reviews.FilingQueue(r.Context(), adminFrom(r), state, after, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(list, limit, newFilingView,
		func(f notary.Filing) (time.Time, uuid.UUID) { return f.CreatedAt, f.ID }))
	return nil
}

func (a *App) applicationQueue(w http.ResponseWriter, r *http.Request) error {
	state, err := queueState(r, applicationQueues)
	if err != nil {
		return err
	}
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	list, err := a.svc.Reviews.ApplicationQueue(r.Context(), adminFrom(r), state, after, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, applicationPage(list, limit))
	return nil
}

func (a *App) adminGetFiling(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return a.inspectFiling(w, r, adminFrom(r), id)
}

func (a *App) adminGetApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return a.inspectApplication(w, r, adminFrom(r), id)
}

// --- Decisions ---
//
// Every decision carries the version of the record the admin reviewed
// (the "version" its JSON showed); a stale version answers 409 conflict, so
// two admins never overwrite each other. A missing or 0 version is a 400
// naming "version": the SDK refuses to decide on content nobody saw.

type versionRequest struct {
	Version int64 `json:"version"`
}

type rejectRequest struct {
	Version int64  `json:"version"`
	Reason  string `json:"reason"`
}

type finalApproveRequest struct {
	Version           int64  `json:"version"`
	CertificateNumber string `json:"certificate_number"`
}

// decide decodes a request body into req, runs the decision and answers
// the record.
func decide[Req any, Rec any](a *App, w http.ResponseWriter, r *http.Request, req *Req,
	run func(ctx context.Context, admin notary.Admin, id uuid.UUID) (Rec, error),
	write func(w http.ResponseWriter, r *http.Request, actor notary.Principal, rec Rec, status int) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := decodeJSON(w, r, req); err != nil {
		return err
	}
	rec, err := run(r.Context(), adminFrom(r), id)
	if err != nil {
		return err
	}
	return write(w, r, adminFrom(r), rec, http.StatusOK)
}

func (a *App) approveFiling(w http.ResponseWriter, r *http.Request) error {
	var req versionRequest
	return decide(a, w, r, &req, func(ctx context.Context, admin notary.Admin, id uuid.UUID) (notary.Filing, error) {
		return a.svc.Reviews.ApproveFiling(ctx, admin, id, req.Version)
	}, a.writeFiling)
}

func (a *App) rejectFiling(w http.ResponseWriter, r *http.Request) error {
	var req rejectRequest
	return decide(a, w, r, &req, func(ctx context.Context, admin notary.Admin, id uuid.UUID) (notary.Filing, error) {
		return a.svc.Reviews.RejectFiling(ctx, admin, id, req.Version, req.Reason)
	}, a.writeFiling)
}

func (a *App) approvePreliminary(w http.ResponseWriter, r *http.Request) error {
	var req versionRequest
	return decide(a, w, r, &req, func(ctx context.Context, admin notary.Admin, id uuid.UUID) (notary.Application, error) {
		return a.svc.Reviews.ApprovePreliminary(ctx, admin, id, req.Version)
	}, a.writeApplication)
}

func (a *App) rejectPreliminary(w http.ResponseWriter, r *http.Request) error {
	var req rejectRequest
	return decide(a, w, r, &req, func(ctx context.Context, admin notary.Admin, id uuid.UUID) (notary.Application, error) {
		return a.svc.Reviews.RejectPreliminary(ctx, admin, id, req.Version, req.Reason)
	}, a.writeApplication)
}

func (a *App) approveFinal(w http.ResponseWriter, r *http.Request) error {
	var req finalApproveRequest
	return decide(a, w, r, &req, func(ctx context.Context, admin notary.Admin, id uuid.UUID) (notary.Application, error) {
		return a.svc.Reviews.ApproveFinal(ctx, admin, id, req.Version, req.CertificateNumber)
	}, a.writeApplication)
}

func (a *App) rejectFinal(w http.ResponseWriter, r *http.Request) error {
	var req rejectRequest
	return decide(a, w, r, &req, func(ctx context.Context, admin notary.Admin, id uuid.UUID) (notary.Application, error) {
		return a.svc.Reviews.RejectFinal(ctx, admin, id, req.Version, req.Reason)
	}, a.writeApplication)
}

func (a *App) ship(w http.ResponseWriter, r *http.Request) error {
	var req shipmentRequest
	return decide(a, w, r, &req, func(ctx context.Context, admin notary.Admin, id uuid.UUID) (notary.Application, error) {
		return a.svc.Reviews.Ship(ctx, admin, id, req.Version, req.Carrier, req.TrackingNumber)
	}, a.writeApplication)
}

// markDelivered reports to the manual tracker that the application's
// travelling consignment (the materials in final review, the certificate
// once shipped) was signed for now, and runs a tracking pass so the change
// is recorded and told at once. Offices tracking with Kuaidi100 get 409.
func (a *App) markDelivered(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if a.manual == nil {
		return fmt.Errorf("%w: deliveries are tracked by the courier service", notary.ErrConflict)
	}
	admin := adminFrom(r)
	app, err := a.svc.Applications.Get(r.Context(), admin, id)
	if err != nil {
		return err
	}
	sh := app.Materials
	switch app.State {
	case notary.PendingFinalReview:
	case notary.CertificateShipped:
		sh = app.Certificate
	default:
		return fmt.Errorf("%w: nothing is in transit in state %s", notary.ErrInvalidTransition, app.State)
	}
	if err := a.manual.MarkDelivered(sh.Carrier, sh.TrackingNumber, a.clock.Now()); err != nil {
		return err
	}
	if _, err := a.Track(r.Context()); err != nil {
		return err
	}
	if app, err = a.svc.Applications.Get(r.Context(), admin, id); err != nil {
		return err
	}
	return a.writeApplication(w, r, admin, app, http.StatusOK)
}

// --- Audit trail ---

func (a *App) auditTrail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := a.audit(r.Context(), adminFrom(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// audit returns a record's audit trail, as the admin may see it, with the
// result of verifying its hash chain.
func (a *App) audit(ctx context.Context, admin notary.Admin, id uuid.UUID) (auditView, error) {
	report, err := a.svc.Audit.Report(ctx, admin, id)
	if err != nil {
		return auditView{}, err
	}
	v := auditView{RecordID: id, Events: newEventViews(report.Events), Verified: report.Problem == nil}
	if report.Problem != nil {
		v.VerifyError = publicMessage(report.Problem)
	}
	return v, nil
}
