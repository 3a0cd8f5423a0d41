package notary

// System reasons: why the SDK itself (not an admin) cancelled, refused or
// refunded something. They are codes, stored with the record and its audit
// event, and notify's templates render each in the recipient's language;
// an admin's typed reason is stored and shown as typed.
const (
	ReasonCancelledByUser       = "cancelled_by_user"       // the owner cancelled before paying
	ReasonPaymentDeadlinePassed = "payment_deadline_passed" // unpaid at the deadline
	ReasonPaymentFailed         = "payment_failed"          // an attempt failed; the user may pay again
	ReasonPaymentClosed         = "payment_closed"          // the provider closed the order
	ReasonPaymentAfterCancel    = "payment_after_cancel"    // paid after the application was cancelled: refunded
)

// SystemReasons lists every system reason code; notify renders each in
// every locale it has.
var SystemReasons = []string{
	ReasonCancelledByUser, ReasonPaymentDeadlinePassed, ReasonPaymentFailed, ReasonPaymentClosed, ReasonPaymentAfterCancel,
}
