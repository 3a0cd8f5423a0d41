package notary_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	"github.com/notarykit/notarykit/store"
)

// newExampleService wires a Service on the in-memory store with the fakes
// a host's tests use.
func newExampleService() (*notary.Service, *notarytest.Payments) {
	pay := notarytest.NewPayments()
	svc, err := notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{
			ID:             uuid.MustParse("6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"),
			Name:           "Example Notary Office",
			AdminEmails:    []string{"review@notary.example"},
			MailingAddress: "1 Notary Road, Shenzhen",
			Materials:      []string{"Signed application form"},
		},
		Store:    store.NewMemory(),
		Payments: pay,
		Clock:    notarytest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)),
	})
	if err != nil {
		panic(err)
	}
	return svc, pay
}

// exampleAdmin bootstraps the office's first supervisor and logs it in.
func exampleAdmin(ctx context.Context, svc *notary.Service) notary.Admin {
	if _, err := svc.Admins.Bootstrap(ctx, "chief@notary.example", "Chief", "a long passphrase"); err != nil {
		panic(err)
	}
	_, admin, err := svc.Admins.Login(ctx, "chief@notary.example", "a long passphrase")
	if err != nil {
		panic(err)
	}
	return admin
}

// The whole certificate flow: filing, application, payment, both reviews,
// shipping and receipt.
func Example() {
	ctx := context.Background()
	svc, pay := newExampleService()
	if _, err := svc.Admins.Bootstrap(ctx, "chief@notary.example", "Chief", "a long passphrase"); err != nil {
		panic(err)
	}
	_, admin, err := svc.Admins.Login(ctx, "chief@notary.example", "a long passphrase")
	if err != nil {
		panic(err)
	}
	user := notary.User{ID: "acct-42", Email: "legal@acme.example", Name: "Wang"}

	_, err = svc.Applications.Apply(ctx, user, notary.ApplyRequest{Evidence: notarytest.Evidence("ev-1")})
	fmt.Println("apply before filing:", errors.Is(err, notary.ErrFilingRequired))

	filing, _ := svc.Filings.Submit(ctx, user, notarytest.FilingContent())
	filing, _ = svc.Reviews.ApproveFiling(ctx, admin, filing.ID, filing.Version)
	fmt.Println("filing:", filing.State)

	app, _ := svc.Applications.Apply(ctx, user, notary.ApplyRequest{Evidence: notarytest.Evidence("ev-1", "ev-2")})
	fmt.Println("fee:", app.Quote.Amount.StringFixed(2), app.Quote.Currency, app.State)

	app, _ = svc.Applications.HandlePaymentEvent(ctx, pay.Settle(app.Payment.ID, svc.Clock().Now())) // paid on the service's clock
	app, _ = svc.Reviews.ApprovePreliminary(ctx, admin, app.ID, app.Version)
	app, _ = svc.Applications.SubmitMaterials(ctx, user, app.ID, "SF", "SF1234567890123")
	app, _ = svc.Reviews.ApproveFinal(ctx, admin, app.ID, app.Version, "(2026) No. 1024")
	app, _ = svc.Reviews.Ship(ctx, admin, app.ID, app.Version, "EMS", "EE123456785CN")
	app, _ = svc.Applications.ConfirmReceipt(ctx, user, app.ID)
	fmt.Println("application:", app.State)
	fmt.Println("audit trail intact:", svc.Audit.Verify(ctx, user, app.ID) == nil)
	// Output:
	// apply before filing: true
	// filing: Approved
	// fee: 400.00 CNY AwaitingPayment
	// application: Completed
	// audit trail intact: true
}

// Actions lists what a principal may do with a record now, from the same
// lifecycle definition that guards the transitions.
func ExampleApplications_Actions() {
	ctx := context.Background()
	svc, _ := newExampleService()
	admin := exampleAdmin(ctx, svc)
	user := notary.User{ID: "acct-42", Email: "legal@acme.example"}
	filing, _ := svc.Filings.Submit(ctx, user, notarytest.FilingContent())
	_, _ = svc.Reviews.ApproveFiling(ctx, admin, filing.ID, filing.Version)
	app, _ := svc.Applications.Apply(ctx, user, notary.ApplyRequest{Evidence: notarytest.Evidence("ev-1")})

	mine, _ := svc.Applications.Actions(ctx, user, app.ID)
	office, _ := svc.Applications.Actions(ctx, admin, app.ID)
	fmt.Println("user:", mine)
	fmt.Println("admin:", office)
	// Output:
	// user: [cancel]
	// admin: []
}

// Inspect gives a page what it shows of a record: the record and the
// actions the caller may take on it, with one read.
func ExampleApplications_Inspect() {
	ctx := context.Background()
	svc, _ := newExampleService()
	admin := exampleAdmin(ctx, svc)
	user := notary.User{ID: "acct-42", Email: "legal@acme.example"}
	filing, _ := svc.Filings.Submit(ctx, user, notarytest.FilingContent())

	f, actions, err := svc.Filings.Inspect(ctx, admin, filing.ID)
	fmt.Println(f.State, actions, err)
	// Output:
	// PendingReview [approve reject] <nil>
}

// Report returns an audit trail with the outcome of verifying its hash
// chain; a broken chain is the report's Problem, matching ErrTampered.
func ExampleAudit_Report() {
	ctx := context.Background()
	svc, _ := newExampleService()
	user := notary.User{ID: "acct-42", Email: "legal@acme.example"}
	filing, _ := svc.Filings.Submit(ctx, user, notarytest.FilingContent())

	report, err := svc.Audit.Report(ctx, user, filing.ID)
	if err != nil {
		panic(err)
	}
	for _, ev := range report.Events {
		fmt.Println(ev.Seq, ev.Trigger, ev.From, "->", ev.To, "by", ev.Actor.Kind)
	}
	fmt.Println("intact:", report.Problem == nil)
	// Output:
	// 1 submit New -> PendingReview by user
	// intact: true
}

// Errors are sentinels matched with errors.Is; invalid input also names
// the field.
func ExampleFieldError() {
	ctx := context.Background()
	svc, _ := newExampleService()
	content := notarytest.FilingContent()
	content.CreditCode = "91350100M000100Y44" // wrong check character
	_, err := svc.Filings.Submit(ctx, notary.User{ID: "acct-42", Email: "legal@acme.example"}, content)

	var fe *notary.FieldError
	fmt.Println(errors.Is(err, notary.ErrInvalidInput), errors.As(err, &fe) && fe.Field == "credit_code")
	fmt.Println(err)
	// Output:
	// true true
	// notary: invalid input: credit_code: check character mismatch
}

// Mermaid renders a lifecycle for documentation; the README's diagrams come
// from it.
func ExampleLifecycle_Mermaid() {
	fmt.Print(notary.FilingLifecycle.Mermaid())
	// Output:
	// stateDiagram-v2
	//     [*] --> New
	//     New --> PendingReview: submit (owner)
	//     PendingReview --> Approved: approve (admin)
	//     PendingReview --> Rejected: reject (admin)
	//     Rejected --> PendingReview: resubmit (owner)
	//     Approved --> PendingReview: amend (owner)
}

// Track, run on a schedule, asks the courier about parcels in transit and
// records what changed: here the certificate is signed for, the user is
// told, and auto-confirmation counts from delivery.
func ExampleApplications_Track() {
	ctx := context.Background()
	clock := notarytest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	parcels := &notarytest.Courier{} // a host wires adapters/kuaidi100 or courier.NewManual()
	pay := notarytest.NewPayments()
	svc, err := notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{ID: uuid.MustParse("6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"), Name: "Example Notary Office",
			AdminEmails: []string{"review@notary.example"}, MailingAddress: "1 Notary Road, Shenzhen",
			Materials: []string{"Signed application form"}, AutoConfirmAfter: 14 * 24 * time.Hour},
		Store: store.NewMemory(), Payments: pay, Courier: parcels, Clock: clock,
	})
	if err != nil {
		panic(err)
	}
	admin := exampleAdmin(ctx, svc)
	user := notary.User{ID: "acct-42", Email: "legal@acme.example"}
	filing, _ := svc.Filings.Submit(ctx, user, notarytest.FilingContent())
	_, _ = svc.Reviews.ApproveFiling(ctx, admin, filing.ID, filing.Version)
	app, _ := svc.Applications.Apply(ctx, user, notary.ApplyRequest{Evidence: notarytest.Evidence("ev-1")})
	app, _ = svc.Applications.HandlePaymentEvent(ctx, pay.Settle(app.Payment.ID, clock.Now()))
	app, _ = svc.Reviews.ApprovePreliminary(ctx, admin, app.ID, app.Version)
	app, _ = svc.Applications.SubmitMaterials(ctx, user, app.ID, "SF", "SF1234567890123")
	app, _ = svc.Reviews.ApproveFinal(ctx, admin, app.ID, app.Version, "(2026) No. 1024")
	app, _ = svc.Reviews.Ship(ctx, admin, app.ID, app.Version, "EMS", "EE123456785CN")

	clock.Advance(3 * 24 * time.Hour)
	parcels.Deliver("EMS", "EE123456785CN", clock.Now())
	res, _ := svc.Applications.Track(ctx)
	app, _ = svc.Applications.Get(ctx, user, app.ID)
	confirmBy, _ := svc.Office().AutoConfirmAt(app)
	fmt.Printf("checked %d, delivered %d\n", res.Checked, res.Delivered)
	fmt.Println("certificate:", app.Certificate.Tracking.State, "on", app.Certificate.Tracking.DeliveredAt.Format("2006-01-02"))
	fmt.Println("confirmed automatically on:", confirmBy.Format("2006-01-02"))
	// Output:
	// checked 1, delivered 1
	// certificate: delivered on 2026-12-03
	// confirmed automatically on: 2026-12-17
}
