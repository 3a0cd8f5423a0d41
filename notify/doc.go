// Package notify renders and delivers the notices of the outbox.
//
// Every lifecycle transition commits its notices to the outbox together
// with the record (see [notary.Outbox]). This package takes them from there
// to their recipients:
//
//   - [Renderer] turns a [notary.Notice] into a [notary.Message]: a subject,
//     a plain-text body and an HTML body, from a template per notice kind
//     and locale. Built-in templates exist for every kind in
//     [notary.NoticeKinds], in zh-CN and en; hosts override any of them
//     with [WithTemplates].
//   - [InboxNotifier] is the [notary.Notifier] of the in-site channel: it
//     writes each message to the user's inbox, idempotently.
//   - [Relay] is the outbox worker: it claims due notices, renders them,
//     hands each to the notifier of its channel (the in-site notifier, the
//     SMTP notifier of package adapters/smtp, or any a host adds), and
//     records the outcome — delivered, retried with capped exponential
//     backoff for a time budget (72 hours by default, [WithRetryBudget]), or
//     dead after a permanent failure or once the budget is spent. Dead
//     notices are listed with [Relay.DeadLetters] and requeued with
//     [Relay.Retry] (office admins use notary's Service.DeadLetters). A
//     relay runs on the service's clock ([notary.Service.Clock], which
//     [NewRelay] requires): it decides which notices are due by comparing
//     that clock with the times the service stamped them with.
//
// # Templates
//
// Templates live in templates/<locale>/: one <kind>.tmpl per notice kind,
// for example templates/zh-CN/preliminary.approved.tmpl, and a
// _common.tmpl with what every kind of the locale shares. Each kind file
// defines three templates:
//
//	{{define "subject"}}…{{end}}   the subject line (text/template)
//	{{define "body.text"}}…{{end}} the plain-text body (text/template)
//	{{define "body.html"}}…{{end}} the HTML body (html/template)
//
// _common.tmpl defines the layouts "text" and "html", which wrap the
// bodies in a greeting ("greeting") and a footer, and partials such as
// "evidence.text", "evidence.html", "materials.text" and "materials.html".
// The same files are parsed with text/template for the subject and the
// text body and with html/template for the HTML body, so every value
// interpolated into HTML is escaped. Templates are executed with a
// [TemplateData]: the notice's data (Reason, RecordID, Evidence, Amount,
// Currency, Materials, MailingAddress, Carrier, TrackingNumber,
// CertificateNumber, …), its recipient and ToOffice, which is true for
// office notices (the recipient has no user ID and is the office's admin
// mailbox). The function inc turns a zero-based index into a list number.
//
// An override tree passed to [WithTemplates] has the same layout. Its files
// are parsed after the built-in ones of their locale, so a file that
// defines only "subject" changes only the subject. NewRenderer executes
// every template once and fails on a template that does not parse or that
// refers to a field that does not exist.
//
// A notice is rendered in its recipient's locale (Recipient.Locale, matched
// case-insensitively and by language: "en-GB" uses "en"); when that locale
// has no template for the kind, in the default locale ([WithDefaultLocale]),
// and failing that in zh-CN.
//
// # Message IDs
//
// Render sets Message.ID to "<notice ID>@<domain>", the domain being
// "notarykit" unless [WithMessageIDDomain] says otherwise. It is the same
// on every delivery attempt of the notice; the SMTP notifier sends it as
// the Message-ID header, so mail clients and receivers can recognise a
// redelivered message.
//
// # Delivery guarantees
//
// Delivery is at least once: a notice leaves the outbox only when a
// notifier accepted it and the outcome was recorded under the claim that
// leased it. Several relays in several processes may drain one outbox; the
// outbox hands each due notice to one claimant at a time. A relay that
// dies mid-batch leaves its leases behind, and the notices are claimed
// again when the leases expire. Notifiers receive a context that expires
// with the lease.
package notify
