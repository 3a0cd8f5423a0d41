// Command quickstart walks one enterprise through notarykit's whole flow in
// memory, with no setup: a filing rejected, resubmitted and approved; an
// application paid, reviewed, its paper materials rejected once and mailed
// again, approved, shipped and received; a second application never paid,
// expired, and its evidence selected again. It prints each step, each
// notice and the audit trail, and verifies the application's bundle from
// the office's transparency log.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/adapters/banktransfer"
	"github.com/notarykit/notarykit/adapters/courier"
	"github.com/notarykit/notarykit/adapters/tink"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	"github.com/notarykit/notarykit/notary/translog"
	"github.com/notarykit/notarykit/notify"
	"github.com/notarykit/notarykit/payment"
	"github.com/notarykit/notarykit/store"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// printer is the email channel of the quickstart: it prints each message.
type printer struct {
	w    io.Writer
	kind string
}

func (p printer) Notify(_ context.Context, m notary.Message) error {
	to := m.To.Email
	if p.kind == "in-site" {
		to = "user " + m.To.UserID
	}
	fmt.Fprintf(p.w, "      %-7s → %-24s %s\n", p.kind, to, m.Subject)
	return nil
}

// tee delivers to the inbox and prints.
type tee []notary.Notifier

func (t tee) Notify(ctx context.Context, m notary.Message) error {
	for _, n := range t {
		if err := n.Notify(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// track records in the manual tracker that the application's parcel in
// transit was signed for at, and runs a tracking pass as a host's ticker
// would.
func track(ctx context.Context, svc *notary.Service, tracker *courier.Manual, app notary.Application, at time.Time) (notary.Application, error) {
	sh := app.Materials
	if app.State == notary.CertificateShipped {
		sh = app.Certificate
	}
	if err := tracker.MarkDelivered(sh.Carrier, sh.TrackingNumber, at); err != nil {
		return app, err
	}
	if _, err := svc.Applications.Track(ctx); err != nil {
		return app, err
	}
	return svc.Applications.Get(ctx, app.Owner, app.ID)
}

func run(ctx context.Context, w io.Writer) error {
	clock := notarytest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	db := store.NewMemory()
	pay := notarytest.NewPayments() // a provider the quickstart settles by hand
	office := notary.Office{
		ID:               uuid.MustParse("6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"),
		Name:             "深圳市示例公证处",
		AdminEmails:      []string{"review@notary.example"},
		MailingAddress:   "深圳市南山区科技园示例路 1 号 公证处收件室（518000）",
		Materials:        []string{"公证申请表（法定代表人签字并加盖公章）", "营业执照副本复印件（加盖公章）", "法定代表人身份证复印件"},
		Pricing:          payment.DefaultPricing(),
		AutoConfirmAfter: 14 * 24 * time.Hour, // counted from delivery
		Locale:           "zh-CN",
		// Enterprises may pay by corporate bank transfer (对公转账) to this
		// account, within TransferDays (7 unless set).
		BankAccount: notary.BankAccount{Name: "深圳市示例公证处", Bank: "中国工商银行深圳科技园支行", Number: "4000 0231 0900 1234 567"},
	}
	tracker := courier.NewManual() // an office without a tracking service records deliveries by hand
	// Personal data in filings is sealed with a Tink keyset before the store
	// sees it. The quickstart makes a keyset in memory; a host loads its own
	// from its KMS (see adapters/tink).
	keys, err := tink.NewKeyset()
	if err != nil {
		return err
	}
	sealer, err := tink.New(ctx, tink.Static(keys))
	if err != nil {
		return err
	}
	var blindKey [32]byte // keys the blind index of ID numbers; a host keeps it in its KMS
	_, _ = rand.Read(blindKey[:])
	svc, err := notary.New(notary.Config{
		Office: office, Store: db, Payments: pay, BankTransfer: banktransfer.New(), Courier: tracker, Clock: clock, Sealer: sealer,
		Blinder: notary.HMACBlinder(blindKey[:]),
		Logger:  slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return err
	}
	renderer, err := notify.NewRenderer()
	if err != nil {
		return err
	}
	relay := notify.NewRelay(db, svc.Clock(), renderer, map[notary.Channel]notary.Notifier{
		notary.ChannelEmail:  printer{w, "email"},
		notary.ChannelInSite: tee{notify.NewInboxNotifier(db), printer{w, "in-site"}},
	})

	n := 0
	step := func(format string, args ...any) error {
		n++
		fmt.Fprintf(w, "\n%2d. %s\n", n, fmt.Sprintf(format, args...))
		_, err := relay.Drain(ctx)
		clock.Advance(time.Minute) // time passes between steps
		return err
	}

	// The office's first admin, and a reviewer logging in.
	if _, err := svc.Admins.Bootstrap(ctx, "chief@notary.example", "Chief Notary", "correct horse battery"); err != nil {
		return err
	}
	_, chief, err := svc.Admins.Login(ctx, "chief@notary.example", "correct horse battery")
	if err != nil {
		return err
	}
	if _, err := svc.Admins.Create(ctx, chief, "li.reviewer@notary.example", "Reviewer Li", notary.RoleReviewer, "staple battery horse"); err != nil {
		return err
	}
	_, reviewer, err := svc.Admins.Login(ctx, "li.reviewer@notary.example", "staple battery horse")
	if err != nil {
		return err
	}
	if err := step("Admins log in: %s (supervisor) and %s (reviewer)", chief.Email, reviewer.Email); err != nil {
		return err
	}
	if _, err := svc.Admins.Create(ctx, chief, "zhao.finance@notary.example", "Finance Zhao", notary.RoleFinance, "ledger stamp invoice"); err != nil {
		return err
	}
	_, finance, err := svc.Admins.Login(ctx, "zhao.finance@notary.example", "ledger stamp invoice")
	if err != nil {
		return err
	}

	user := notary.User{ID: "acct-42", Email: "legal@acme.example", Name: "王经理", Locale: "zh-CN"}
	content := filingContent()
	content.BusinessLicense.SHA256 = "" // forgot the licence's digest
	if _, err := svc.Filings.Submit(ctx, user, content); err != nil {
		if err := step("Filing refused before storing anything: %v", err); err != nil {
			return err
		}
	}
	filing, err := svc.Filings.Submit(ctx, user, filingContent())
	if err != nil {
		return err
	}
	if err := step("%s submits its filing (备案): %s", filing.Content.EnterpriseName, filing.State); err != nil {
		return err
	}
	if filing, err = svc.Reviews.RejectFiling(ctx, reviewer, filing.ID, filing.Version, "营业执照扫描件不清晰，请重新上传"); err != nil {
		return err
	}
	if err := step("Reviewer rejects the filing: %s (%s)", filing.State, filing.Reason); err != nil {
		return err
	}
	if filing, err = svc.Filings.Resubmit(ctx, user, filing.ID, filingContent()); err != nil {
		return err
	}
	if err := step("User resubmits with a clear scan: %s; the office sees the legal representative as %s %s",
		filing.State, filing.Content.LegalRep.Name, filing.Content.LegalRep.IDNumber); err != nil {
		return err
	}
	if filing, err = svc.Filings.Reveal(ctx, reviewer, filing.ID, notary.FieldLegalRepIDNumber); err != nil {
		return err
	}
	if err := step("Reviewer reveals the ID number to check it against the scan (audited): %s", filing.Content.LegalRep.IDNumber); err != nil {
		return err
	}
	if filing, err = svc.Reviews.ApproveFiling(ctx, reviewer, filing.ID, filing.Version); err != nil {
		return err
	}
	if err := step("Reviewer approves the filing: %s", filing.State); err != nil {
		return err
	}

	picked := []notary.Evidence{ev("ev-1001", "采购合同（电子签章版）"), ev("ev-1002", "网页取证：侵权商品页面"), ev("ev-1003", "往来邮件存档")}
	app, err := svc.Applications.Apply(ctx, user, notary.ApplyRequest{Evidence: picked, IdempotencyKey: "req-7f3a"})
	if err != nil {
		return err
	}
	if err := step("User applies for a certificate on %d evidence records: fee %s, %s", len(app.Evidence),
		payment.FormatAmount(app.Quote.Amount, app.Quote.Currency), app.State); err != nil {
		return err
	}
	again, err := svc.Applications.Apply(ctx, user, notary.ApplyRequest{Evidence: picked, IdempotencyKey: "req-7f3a"})
	if err != nil {
		return err
	}
	if err := step("A double click with the same idempotency key returns the same application: %v", again.ID == app.ID); err != nil {
		return err
	}
	clock.Advance(3 * time.Minute)
	if app, err = svc.Applications.HandlePaymentEvent(ctx, pay.Settle(app.Payment.ID, clock.Now())); err != nil {
		return err
	}
	if err := step("The provider notifies the payment: %s", app.State); err != nil {
		return err
	}
	// The enterprise asks for its invoice (发票); finance issues it.
	wrongCheck := notary.InvoiceRequest{Type: notary.InvoiceSpecial, TaxpayerID: "91350100M000100Y44"}
	if _, err := svc.Invoices.Request(ctx, user, app.ID, wrongCheck); err != nil {
		if err := step("User asks for an invoice with a mistyped taxpayer ID: refused, %v", err); err != nil {
			return err
		}
	}
	if app, err = svc.Invoices.Request(ctx, user, app.ID, notary.InvoiceRequest{Type: notary.InvoiceSpecial}); err != nil {
		return err
	}
	if err := step("User asks for a 专用发票 to %s, taxpayer ID %s (the filing's): %s",
		app.Invoice.Request.Title, app.Invoice.Request.TaxpayerID, app.Invoice.State); err != nil {
		return err
	}
	if app, err = svc.Invoices.Issue(ctx, finance, app.ID, app.Version, notary.IssuedInvoice{Number: "25442000000012345678",
		IssuedOn: clock.Now(), PDFRef: "invoices/25442000000012345678.pdf", PDFSHA256: strings.Repeat("ab", 32)}); err != nil {
		return err
	}
	if err := step("Finance issues invoice %s of %s for %s %s: %s", app.Invoice.Issued.Number,
		app.Invoice.Issued.IssuedOn.Format("2006-01-02"), app.Invoice.Amount.StringFixed(2), app.Invoice.Currency, app.Invoice.State); err != nil {
		return err
	}
	// Finance handles money and decides no review; the domain refuses it.
	if _, err := svc.Reviews.ApprovePreliminary(ctx, finance, app.ID, app.Version); !errors.Is(err, notary.ErrForbidden) {
		return fmt.Errorf("finance decided a review: %v", err)
	}
	if err := step("Finance (%s) may not decide the preliminary review: refused", finance.Email); err != nil {
		return err
	}
	if app, err = svc.Reviews.ApprovePreliminary(ctx, reviewer, app.ID, app.Version); err != nil {
		return err
	}
	if err := step("Preliminary review (初审) passed: %s", app.State); err != nil {
		return err
	}
	if app, err = svc.Applications.SubmitMaterials(ctx, user, app.ID, "SF", "SF 1234 5678 9012"); err != nil {
		return err
	}
	if err := step("User mails the paper materials: %s %s, %s", app.Materials.Carrier, app.Materials.TrackingNumber, app.State); err != nil {
		return err
	}
	if app, err = svc.Reviews.RejectFinal(ctx, reviewer, app.ID, app.Version, "公证申请表缺少法定代表人签字"); err != nil {
		return err
	}
	if err := step("Final review rejects the materials: %s (%s)", app.State, app.Reason); err != nil {
		return err
	}
	if app, err = svc.Applications.SubmitMaterials(ctx, user, app.ID, "EMS", "EE123456785CN"); err != nil {
		return err
	}
	if err := step("User mails signed materials again: %s %s, %s", app.Materials.Carrier, app.Materials.TrackingNumber, app.State); err != nil {
		return err
	}
	if app, err = track(ctx, svc, tracker, app, clock.Now()); err != nil {
		return err
	}
	if err := step("The courier delivers them; the tracker tells the office: materials %s", app.Materials.Tracking.State); err != nil {
		return err
	}
	if app, err = svc.Reviews.ApproveFinal(ctx, reviewer, app.ID, app.Version, "（2026）深示证经字第 01024 号"); err != nil {
		return err
	}
	if err := step("Final review passed, certificate %s: %s", app.CertificateNumber, app.State); err != nil {
		return err
	}
	if app, err = svc.Reviews.Ship(ctx, reviewer, app.ID, app.Version, "SF", "SF9876543210987"); err != nil {
		return err
	}
	if err := step("Office ships the certificate: %s %s, %s", app.Certificate.Carrier, app.Certificate.TrackingNumber, app.State); err != nil {
		return err
	}
	if app, err = track(ctx, svc, tracker, app, clock.Now()); err != nil {
		return err
	}
	confirmBy, _ := svc.Office().AutoConfirmAt(app)
	if err := step("The certificate is delivered; the user is told (auto-confirmation on %s): %s",
		confirmBy.Format("2006-01-02"), app.Certificate.Tracking.State); err != nil {
		return err
	}
	if app, err = svc.Applications.ConfirmReceipt(ctx, user, app.ID); err != nil {
		return err
	}
	if err := step("User confirms receipt: %s", app.State); err != nil {
		return err
	}

	second, err := svc.Applications.Apply(ctx, user, notary.ApplyRequest{Evidence: []notary.Evidence{ev("ev-2001", "电子合同 #2001")}})
	if err != nil {
		return err
	}
	if err := step("A second application on ev-2001 waits for payment: %s", second.State); err != nil {
		return err
	}
	if _, err := svc.Applications.Apply(ctx, user, notary.ApplyRequest{Evidence: []notary.Evidence{ev("ev-2001", "电子合同 #2001")}}); err != nil {
		if err := step("Selecting ev-2001 again is refused while it is reserved: %v", err); err != nil {
			return err
		}
	}
	clock.Advance(31 * time.Minute)
	res, err := svc.Applications.Sweep(ctx)
	if err != nil {
		return err
	}
	if second, err = svc.Applications.Get(ctx, user, second.ID); err != nil {
		return err
	}
	if err := step("31 minutes later the sweep expires %d unpaid application: %s", res.Expired, second.State); err != nil {
		return err
	}
	third, err := svc.Applications.Apply(ctx, user, notary.ApplyRequest{Evidence: []notary.Evidence{ev("ev-2001", "电子合同 #2001")}})
	if err != nil {
		return err
	}
	if err := step("ev-2001 is selected again in a new application: %s", third.State); err != nil {
		return err
	}

	// The reviewer's session idled out during the half hour; log in again.
	if _, reviewer, err = svc.Admins.Login(ctx, "li.reviewer@notary.example", "staple battery horse"); err != nil {
		return err
	}

	// Paying by corporate bank transfer: the application shows the office's
	// account and the reference for the note; finance records the transfer
	// when the bank shows it.
	byBank, err := svc.Applications.Apply(ctx, user, notary.ApplyRequest{Evidence: []notary.Evidence{ev("ev-3001", "电子合同 #3001")},
		Method: notary.MethodBankTransfer})
	if err != nil {
		return err
	}
	acct := byBank.Payment.Transfer.Account
	if err := step("User chooses to pay by bank transfer: %s to %s, %s %s, note %s, by %s", byBank.Quote.Amount.StringFixed(2),
		acct.Name, acct.Bank, acct.Number, byBank.Payment.Transfer.Reference, byBank.ExpiresAt.Format(time.DateOnly)); err != nil {
		return err
	}
	if _, finance, err = svc.Admins.Login(ctx, "zhao.finance@notary.example", "ledger stamp invoice"); err != nil {
		return err
	}
	received := notary.ReceivedTransfer{Serial: "ICBC-20261130-0042", Reference: byBank.Payment.Transfer.Reference,
		PayerName: filing.Content.EnterpriseName, Amount: byBank.Quote.Amount.Sub(decimal.RequireFromString("0.01")), Date: clock.Now()}
	if _, err := svc.Finance.RecordTransfer(ctx, finance, received); err != nil {
		if err := step("Finance types the amount a fen short: refused, %v", err); err != nil {
			return err
		}
	}
	received.Amount = byBank.Quote.Amount
	paid, err := svc.Finance.RecordTransfer(ctx, finance, received)
	if err != nil {
		return err
	}
	if err := step("Finance records transfer %s: %s", paid.Application.Payment.Serial, paid.Application.State); err != nil {
		return err
	}
	unread, err := db.UnreadCount(ctx, office.ID, user.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nThe user's in-site inbox holds %d unread notices.\n", unread)

	for _, rec := range []struct {
		name string
		id   uuid.UUID
	}{{"filing", filing.ID}, {"first application", app.ID}} {
		trail, err := svc.Audit.Trail(ctx, reviewer, rec.id)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "\nAudit trail of the %s %s:\n", rec.name, rec.id)
		for _, e := range trail {
			line := fmt.Sprintf("  #%d %s %-19s %-24s → %-24s by %s %s", e.Seq, e.At.Format("15:04"), e.Trigger, e.From, e.To, e.Actor.Kind, e.Actor.Name)
			if e.Reason != "" {
				line += " — " + e.Reason
			}
			fmt.Fprintln(w, strings.TrimRight(line, " "))
		}
		if err := svc.Audit.Verify(ctx, reviewer, rec.id); err != nil {
			return err
		}
		fmt.Fprintf(w, "  hash chain verified, head %s…\n", trail[len(trail)-1].Hash[:16])
	}
	return transparencyLog(ctx, w, svc, db, user, app.ID)
}

// transparencyLog sequences every audit event above into the office's
// transparency log, and verifies the user's bundle of an application as a
// customer would: offline, with the office's public key alone.
func transparencyLog(ctx context.Context, w io.Writer, svc *notary.Service, db notary.Store, user notary.User, appID uuid.UUID) error {
	seed := sha256.Sum256([]byte("quickstart office key")) // a real office keeps its key secret
	tlog, err := translog.New(translog.Config{Service: svc, Store: db, Origin: "notary.example/log",
		Keys: []ed25519.PrivateKey{ed25519.NewKeyFromSeed(seed[:])}})
	if err != nil {
		return err
	}
	logged, err := tlog.SequenceAll(ctx) // a host runs tlog.Run in the background instead
	if err != nil {
		return err
	}
	bundle, err := tlog.Bundle(ctx, user, appID)
	if err != nil {
		return err
	}
	keys, err := translog.Verifiers(tlog.VerifierKeys()...)
	if err != nil {
		return err
	}
	rep, err := translog.VerifyBundle(bundle, keys)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nTransparency log: %d audit events logged; checkpoint of size %d signed with %s\n",
		logged, rep.Checkpoint.Size, tlog.VerifierKeys()[0])
	fmt.Fprintf(w, "  the user's bundle of the first application: %d events proven in the log, verified with the office's public key alone\n", rep.Logged)
	fmt.Fprintln(w, "  (a customer checks it with: go run ./examples/verifylog -key <key> -bundle bundle.json)")
	return nil
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func ev(id, title string) notary.Evidence {
	return notary.Evidence{ID: id, Title: title, SHA256: digest(id + title)}
}

func filingContent() notary.FilingContent {
	doc := func(name string) notary.Document {
		return notary.Document{URI: "https://files.host.example/acme/" + name, MediaType: "application/pdf", Size: 482133, SHA256: digest(name)}
	}
	return notary.FilingContent{
		EnterpriseName:  "深圳市艾克米科技有限公司",
		CreditCode:      "91110000100017643K",
		BusinessLicense: doc("business-licence.pdf"),
		LegalRep:        notary.Person{Name: "张三", IDType: notary.IDResident, IDNumber: "11010519491231002X"},
		LegalRepID:      doc("legal-rep-id.pdf"),
		ContactAddress:  "深圳市南山区粤海街道科技南路 8 号",
		ContactEmail:    "legal@acme.example",
		ContactPhone:    "13800138000",
	}
}
