package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// fixture is a Service on some store with a logged-in reviewer.
type fixture struct {
	svc      *notary.Service
	store    notary.Store
	pay      *notarytest.Payments
	reviewer notary.Admin
	office   notary.Office
	seq      int
}

var officeID = uuid.MustParse("b3c1d2e4-0000-4000-8000-00000000be0c")

func newFixture(ctx context.Context, st notary.Store) (*fixture, error) {
	f := &fixture{store: st, pay: notarytest.NewPayments()}
	f.office = notary.Office{ID: officeID, Name: "Bench Notary Office", AdminEmails: []string{"desk@office.example"},
		MailingAddress: "1 Bench Road", Materials: []string{"Signed form"}}
	svc, err := notary.New(notary.Config{InsecureDevKeys: true, Office: f.office, Store: st, Payments: f.pay,
		Logger: slog.New(slog.DiscardHandler),
		Admin:  notary.AdminPolicy{SessionIdle: 24 * time.Hour, SessionTTL: 48 * time.Hour}})
	if err != nil {
		return nil, err
	}
	f.svc = svc
	if _, err := svc.Admins.Bootstrap(ctx, "chief@office.example", "Chief", "bench password 1"); err != nil {
		return nil, err
	}
	_, f.reviewer, err = svc.Admins.Login(ctx, "chief@office.example", "bench password 1")
	return f, err
}

func (f *fixture) user(i int) notary.User {
	return notary.User{ID: fmt.Sprintf("bench-user-%d", i), Email: fmt.Sprintf("user%d@example.com", i), Name: "Bench User"}
}

// approve files and approves a filing for u.
func (f *fixture) approve(ctx context.Context, u notary.User) error {
	fl, err := f.svc.Filings.Submit(ctx, u, notarytest.FilingContent())
	if err != nil {
		return err
	}
	_, err = f.svc.Reviews.ApproveFiling(ctx, f.reviewer, fl.ID, fl.Version)
	return err
}

// application brings a new application of u to PendingFinalReview (or
// stops at PendingPreliminaryReview when paidOnly).
func (f *fixture) application(ctx context.Context, u notary.User, paidOnly bool) (notary.Application, error) {
	f.seq++
	ev := fmt.Sprintf("bench-ev-%s-%d", u.ID, f.seq)
	a, err := f.svc.Applications.Apply(ctx, u, notary.ApplyRequest{Evidence: notarytest.Evidence(ev)})
	if err != nil {
		return a, err
	}
	if a, err = f.svc.Applications.HandlePaymentEvent(ctx, f.pay.Settle(a.Payment.ID, f.svc.Clock().Now())); err != nil || paidOnly {
		return a, err
	}
	if a, err = f.svc.Reviews.ApprovePreliminary(ctx, f.reviewer, a.ID, a.Version); err != nil {
		return a, err
	}
	return f.svc.Applications.SubmitMaterials(ctx, u, a.ID, "SF", "SF1234567890123")
}

// applications brings n new applications of u to PendingFinalReview.
func (f *fixture) applications(ctx context.Context, u notary.User, n int) ([]notary.Application, error) {
	apps := make([]notary.Application, n)
	for i := range apps {
		a, err := f.application(ctx, u, false)
		if err != nil {
			return nil, err
		}
		apps[i] = a
	}
	return apps, nil
}

// cycle runs the two transitions every worker repeats: the final review
// rejects the materials at the version the reviewer saw, the owner submits
// them again. app is left as the last transition returned it.
func (f *fixture) cycle(ctx context.Context, u notary.User, app *notary.Application) error {
	rejected, err := f.svc.Reviews.RejectFinal(ctx, f.reviewer, app.ID, app.Version, "missing signature")
	if err != nil {
		return err
	}
	*app, err = f.svc.Applications.SubmitMaterials(ctx, u, rejected.ID, "SF", "SF1234567890123")
	return err
}
