// Package notary is the domain of notarykit, an embeddable SDK that puts a
// notary office's whole online-to-offline certificate process inside another
// platform's backend. An enterprise files its registration materials, applies
// for a notarial certificate over some of its evidence records, pays a fee
// computed from their number, and mails paper materials; the office's staff
// review everything online and mail the paper certificate back. Every step
// sends in-site notices and emails and leaves a hash-chained audit trail.
//
// The package holds every business rule and does no I/O of its own: storage,
// delivery, payment, couriers, time and IDs come in through ports, so the
// same Service runs on the in-memory store in a test and on PostgreSQL in
// production.
//
// # Services
//
// New validates a Config and returns a Service, one per office, whose fields
// are the units of the process: [Service.Filings] (the enterprise filing),
// [Service.Applications] (certificate applications, payments, refunds, the
// periodic [Applications.Sweep] and courier tracking with
// [Applications.Track]), [Service.Reviews] (queues and decisions),
// [Service.Admins] (the office's own admin accounts, password login and
// sessions), [Service.Audit] (reading and verifying trails), [Service.Inbox]
// (the users' in-site messages) and [Service.DeadLetters] (notices the relay
// gave up on). Package notary/translog adds the office's transparency log.
//
// Every method takes a context and the acting principal: a [User] the host
// has authenticated, or an [Admin] returned by [Admins.Login] or
// [Admins.Authenticate]. Methods that either may call take the sealed
// [Principal] interface, which only those two types implement.
//
// # Lifecycles
//
// Two lifecycles, each one table built on qmuntal/stateless with the state
// kept in the stored record. The same table fires transitions, answers the
// Actions methods (what a caller may do now) and draws the diagrams in the
// README ([Lifecycle.Mermaid], [Lifecycle.DOT]).
//
// [FilingLifecycle], the enterprise filing: New → PendingReview on submit;
// PendingReview → Approved or Rejected by an admin; Rejected → PendingReview
// on resubmit; Approved → PendingReview on amend, while the approved revision
// stays in force. Every submit, resubmit and amend files a new revision,
// kept with its content ([Filings.Revisions], [Filings.Compare]). A user
// needs an approved filing before applying; the application records the
// revision in force.
//
// [ApplicationLifecycle], the certificate application: New → AwaitingPayment
// on apply; → PendingPreliminaryReview when the payment succeeds (a failed
// attempt stays AwaitingPayment: the user may pay again), or Cancelled when
// the owner cancels, the deadline passes or the provider closes the order
// (the order is closed at the provider and the evidence released); → AwaitingMaterials or
// PreliminaryRejected by the preliminary review; → PendingFinalReview when
// the owner submits the paper materials' tracking number; →
// CertificateInProduction or MaterialsRejected (which may submit again) by
// the final review; → CertificateShipped; → Completed when the owner confirms
// receipt or the sweep confirms it automatically. A refund is recorded on a
// Cancelled or PreliminaryRejected application without changing its state.
//
// Each transition is one atomic [Records.Commit] of a [Change]: the record's
// new state and version, its audit event, the notices it causes (a
// transactional outbox) and the evidence it reserves or releases. A stale
// version fails with [ErrConflict], so two admins deciding the same item
// never overwrite each other. Who is told what on each transition is one
// table too, [Notices].
//
// # Ports
//
//   - [Store]: records, the audit trail, the outbox, the inbox, admin
//     accounts and the transparency log's storage. Implementations: store.NewMemory, adapters/sqlite,
//     adapters/postgres; store/storetest is the conformance suite for your own.
//   - [Notifier]: delivers one rendered message on a channel (email, in-site,
//     anything the host adds); package notify renders notices and relays the
//     outbox to notifiers.
//   - [PaymentGateway]: creates, queries, closes and refunds payments and
//     verifies the provider's notifications (package payment/webhook signs
//     and verifies them; the replay memory is the [Store]'s [Nonces]);
//     adapters/mockpay behaves like a real provider.
//   - [Courier]: validates tracking numbers and reports consignment status;
//     adapters/courier has the common Chinese carriers and a manual tracker,
//     adapters/kuaidi100 tracks with Kuaidi100.
//   - [Clock] and [IDSource]: time and IDs, which tests control
//     (notary/notarytest has both).
//
// # Errors
//
// Every error for a caller's mistake, a missing record, a refused action or a
// lost race wraps one sentinel that [errors.Is] matches: [ErrInvalidInput]
// (wrapping a *[FieldError] naming the field), [ErrNotFound], [ErrForbidden],
// [ErrUnauthenticated], [ErrConflict], [ErrFilingRequired],
// [ErrInvalidTransition], [ErrEvidenceReserved] and, from stores,
// [ErrDuplicate]. A transient store failure wraps [ErrUnavailable]: retry
// later. Bad input never panics and never changes state.
// [Audit.Verify] reports a broken hash chain with [ErrTampered]; a
// [Notifier] marks a delivery that retrying cannot fix with [ErrPermanent].
//
// # Embedding
//
//	svc, err := notary.New(notary.Config{
//		Office:   notary.Office{ID: officeID, Name: "Example Notary Office",
//			AdminEmails: []string{"review@notary.example"}, MailingAddress: "1 Notary Road"},
//		Store:    store.NewMemory(), // or adapters/sqlite, adapters/postgres
//		Payments: gateway,           // a notary.PaymentGateway, e.g. adapters/mockpay
//	})
//	filing, err := svc.Filings.Submit(ctx, user, content)
//	filing, err = svc.Reviews.ApproveFiling(ctx, admin, filing.ID, filing.Version)
//	app, err := svc.Applications.Apply(ctx, user, notary.ApplyRequest{Evidence: picked})
//	// Feed provider notifications to svc.Applications.HandlePaymentNotification,
//	// run svc.Applications.Sweep and svc.Applications.Track periodically and a
//	// notify.Relay for the outbox.
//
// The package's Example walks the whole flow; examples/quickstart runs it
// with printed steps, and examples/hostapp wires the SDK into an HTTP server.
package notary
