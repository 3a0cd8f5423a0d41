package notary

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/qmuntal/stateless"
)

// FilingState is a filing's lifecycle state.
type FilingState string

// Filing states. FilingNew is the state of a filing not yet stored.
const (
	FilingNew           FilingState = "New"
	FilingPendingReview FilingState = "PendingReview"
	FilingApproved      FilingState = "Approved"
	FilingRejected      FilingState = "Rejected"
)

// FilingTrigger is an action on a filing.
type FilingTrigger string

// Filing triggers.
const (
	FilingSubmit   FilingTrigger = "submit"
	FilingApprove  FilingTrigger = "approve"
	FilingReject   FilingTrigger = "reject"
	FilingResubmit FilingTrigger = "resubmit"
	FilingAmend    FilingTrigger = "amend"
)

// ApplicationState is an application's lifecycle state.
type ApplicationState string

// Application states. ApplicationNew is the state of an application not yet
// stored.
const (
	ApplicationNew           ApplicationState = "New"
	AwaitingPayment          ApplicationState = "AwaitingPayment"
	PendingPreliminaryReview ApplicationState = "PendingPreliminaryReview"
	PreliminaryRejected      ApplicationState = "PreliminaryRejected"
	AwaitingMaterials        ApplicationState = "AwaitingMaterials"
	PendingFinalReview       ApplicationState = "PendingFinalReview"
	MaterialsRejected        ApplicationState = "MaterialsRejected"
	CertificateInProduction  ApplicationState = "CertificateInProduction"
	CertificateShipped       ApplicationState = "CertificateShipped"
	Completed                ApplicationState = "Completed"
	Cancelled                ApplicationState = "Cancelled"
)

// Active reports whether the application still holds its evidence.
func (s ApplicationState) Active() bool {
	switch s {
	case ApplicationNew, Cancelled, PreliminaryRejected, Completed:
		return false
	}
	return true
}

// ApplicationTrigger is an action on an application.
type ApplicationTrigger string

// Application triggers.
const (
	AppApply ApplicationTrigger = "apply"
	// AppApplyByTransfer is AppApply for an application the user pays by
	// bank transfer: the user is told where to transfer.
	AppApplyByTransfer    ApplicationTrigger = "apply_by_transfer"
	AppPaymentSucceeded   ApplicationTrigger = "payment_succeeded"
	AppPaymentFailed      ApplicationTrigger = "payment_failed" // an attempt failed; the user may pay again
	AppPaymentClosed      ApplicationTrigger = "payment_closed" // the provider closed the order
	AppExpire             ApplicationTrigger = "expire"
	AppCancel             ApplicationTrigger = "cancel"
	AppApprovePreliminary ApplicationTrigger = "approve_preliminary"
	AppRejectPreliminary  ApplicationTrigger = "reject_preliminary"
	AppSubmitMaterials    ApplicationTrigger = "submit_materials"
	AppApproveFinal       ApplicationTrigger = "approve_final"
	AppRejectFinal        ApplicationTrigger = "reject_final"
	AppShip               ApplicationTrigger = "ship"
	AppConfirmReceipt     ApplicationTrigger = "confirm_receipt"
	AppAutoConfirm        ApplicationTrigger = "auto_confirm"
	AppRefund             ApplicationTrigger = "refund"        // records a refund (a provider's, or finance's bank transfer back); the state stays
	AppCloseOrder         ApplicationTrigger = "close_payment" // records a retried close of the order; the state stays
	// AppTransferReceived is finance recording the bank transfer that pays
	// the application (Finance.RecordTransfer, Finance.Match): the same
	// step as AppPaymentSucceeded, taken by finance instead of a
	// provider's notice.
	AppTransferReceived ApplicationTrigger = "transfer_received"

	// The tracker's triggers record what the courier reports; the state
	// stays. The delivered ones are fired once, when the courier first
	// reports the consignment signed for.
	AppTrackMaterials       ApplicationTrigger = "track_materials"       // the materials' status changed
	AppMaterialsDelivered   ApplicationTrigger = "materials_delivered"   // the materials reached the office
	AppTrackCertificate     ApplicationTrigger = "track_certificate"     // the certificate's status changed
	AppCertificateDelivered ApplicationTrigger = "certificate_delivered" // the certificate reached the user

	// The invoice's triggers move the application's invoice along
	// InvoiceLifecycle; the application's state stays.
	AppRequestInvoice ApplicationTrigger = "request_invoice" // the enterprise asks for an invoice of its fee
	AppIssueInvoice   ApplicationTrigger = "issue_invoice"   // finance records the invoice it issued
	AppRejectInvoice  ApplicationTrigger = "reject_invoice"  // finance refuses the request, with a reason
	AppReverseInvoice ApplicationTrigger = "reverse_invoice" // finance records the reversing (红字) invoice
)

// InvoiceState is where the invoice of an application's fee stands.
type InvoiceState string

// Invoice states. InvoiceNotRequested is the state of an application
// whose Invoice is nil.
const (
	InvoiceNotRequested InvoiceState = "NotRequested"
	InvoiceRequested    InvoiceState = "Requested" // waits for finance
	InvoiceIssued       InvoiceState = "Issued"
	InvoiceRejected     InvoiceState = "Rejected" // the enterprise may ask again
	InvoiceReversed     InvoiceState = "Reversed" // a reversing (红字) invoice cancels it
)

// Party is the role an actor plays towards a record, which is what the
// lifecycle's guards check.
type Party string

// Parties.
const (
	PartyOwner  Party = "owner"  // the user who owns the record
	PartyAdmin  Party = "admin"  // an admin of the record's office
	PartySystem Party = "system" // the SDK itself: payment events, sweeps
	// PartyFinance is an admin of the office whose role handles money but
	// decides no review (RoleFinance): it records bank transfers, refunds
	// and invoices (InvoiceLifecycle), and fires no review transition.
	PartyFinance Party = "finance"
)

// Rule is one row of a lifecycle table: in state From, Party may fire
// Trigger, which moves the record to To.
type Rule[S, T ~string] struct {
	From    S
	Trigger T
	To      S
	By      Party
}

// Lifecycle is a state machine definition built once on qmuntal/stateless
// from its table of rules. The same definition checks transitions, lists the
// actions a party may take, and draws the diagrams.
type Lifecycle[S, T ~string] struct {
	name    string
	initial S
	rules   []Rule[S, T]
	sm      *stateless.StateMachine
}

type firingKey struct{}

// firing carries the record's state and the acting party through a Fire call
// on the shared machine; this is the machine's external state storage.
type firing struct {
	state any
	party Party
}

func newLifecycle[S, T ~string](name string, initial S, rules []Rule[S, T]) *Lifecycle[S, T] {
	sm := stateless.NewStateMachineWithExternalStorage(
		func(ctx context.Context) (stateless.State, error) {
			if f, ok := ctx.Value(firingKey{}).(*firing); ok {
				return f.state, nil
			}
			return initial, nil // outside Fire, e.g. while drawing the graph
		},
		func(ctx context.Context, s stateless.State) error {
			ctx.Value(firingKey{}).(*firing).state = s
			return nil
		},
		stateless.FiringImmediate, // the machine is shared: state lives in ctx, never in the machine
	)
	for _, r := range rules {
		if r.From == r.To {
			sm.Configure(r.From).PermitReentry(r.Trigger, partyGuard(r.By))
		} else {
			sm.Configure(r.From).Permit(r.Trigger, r.To, partyGuard(r.By))
		}
	}
	for _, r := range rules { // configure every state up front, so the graph never depends on history
		sm.Configure(r.To)
	}
	sm.OnUnhandledTrigger(func(_ context.Context, state stateless.State, trigger stateless.Trigger, unmet []string) error {
		if len(unmet) > 0 {
			return wrap(ErrForbidden, "%s %v: not permitted to this party in state %v", name, trigger, state)
		}
		return wrap(ErrInvalidTransition, "%s: %v in state %v", name, trigger, state)
	})
	return &Lifecycle[S, T]{name: name, initial: initial, rules: rules, sm: sm}
}

// partyGuard permits a rule only to its party. The guards are named
// functions so that the DOT graph labels each edge with its party.
func partyGuard(p Party) stateless.GuardFunc {
	switch p {
	case PartyOwner:
		return byOwner
	case PartyAdmin:
		return byAdmin
	case PartyFinance:
		return byFinance
	}
	return bySystem
}

func byOwner(ctx context.Context, _ ...any) bool   { return firingParty(ctx) == PartyOwner }
func byAdmin(ctx context.Context, _ ...any) bool   { return firingParty(ctx) == PartyAdmin }
func byFinance(ctx context.Context, _ ...any) bool { return firingParty(ctx) == PartyFinance }
func bySystem(ctx context.Context, _ ...any) bool  { return firingParty(ctx) == PartySystem }

func firingParty(ctx context.Context) Party {
	if f, ok := ctx.Value(firingKey{}).(*firing); ok {
		return f.party
	}
	return ""
}

// names reports whether any rule of the table is fired by party.
func (l *Lifecycle[S, T]) names(party Party) bool {
	for _, r := range l.rules {
		if r.By == party {
			return true
		}
	}
	return false
}

// gives reports whether any rule of the table, in any state, lets party
// fire trigger.
func (l *Lifecycle[S, T]) gives(party Party, trigger T) bool {
	for _, r := range l.rules {
		if r.By == party && r.Trigger == trigger {
			return true
		}
	}
	return false
}

// Fire fires trigger for party on a record in state from and returns the
// new state. It returns ErrInvalidTransition when no rule moves from that
// state on that trigger, and ErrForbidden when a rule exists for another
// party, when no rule of the table names party at all, or when party is
// PartyFinance and no rule in any state gives it trigger: finance touches
// money only, so a review decision is refused it as forbidden whatever
// the record's state. Fire has no side effects.
func (l *Lifecycle[S, T]) Fire(ctx context.Context, from S, trigger T, party Party) (S, error) {
	if !l.names(party) || (party == PartyFinance && !l.gives(party, trigger)) {
		return from, wrap(ErrForbidden, "%s: %s never fires %s", l.name, party, trigger)
	}
	f := &firing{state: from, party: party}
	if err := l.sm.FireCtx(context.WithValue(ctx, firingKey{}, f), trigger); err != nil {
		return from, err
	}
	return f.state.(S), nil
}

// Permitted lists the triggers party may fire in state, in table order.
func (l *Lifecycle[S, T]) Permitted(ctx context.Context, state S, party Party) []T {
	f := &firing{state: state, party: party}
	trs, err := l.sm.PermittedTriggersCtx(context.WithValue(ctx, firingKey{}, f))
	if err != nil {
		return nil
	}
	var out []T
	for _, r := range l.rules {
		if r.From == state && slices.Contains(trs, any(r.Trigger)) && !slices.Contains(out, r.Trigger) {
			out = append(out, r.Trigger)
		}
	}
	return out
}

// Rules returns the lifecycle's table.
func (l *Lifecycle[S, T]) Rules() []Rule[S, T] { return slices.Clone(l.rules) }

// States returns every state in order of first appearance in the table.
func (l *Lifecycle[S, T]) States() []S {
	out := []S{l.initial}
	for _, r := range l.rules {
		for _, s := range []S{r.From, r.To} {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// Triggers returns every trigger in order of first appearance in the table.
func (l *Lifecycle[S, T]) Triggers() []T {
	var out []T
	for _, r := range l.rules {
		if !slices.Contains(out, r.Trigger) {
			out = append(out, r.Trigger)
		}
	}
	return out
}

// DOT renders the lifecycle as a Graphviz DOT graph, as drawn by stateless.
func (l *Lifecycle[S, T]) DOT() string { return l.sm.ToGraph() }

// Mermaid renders the lifecycle as a Mermaid state diagram; each edge is
// labelled "trigger (party)".
func (l *Lifecycle[S, T]) Mermaid() string {
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	fmt.Fprintf(&b, "    [*] --> %s\n", l.initial)
	for _, r := range l.rules {
		fmt.Fprintf(&b, "    %s --> %s: %s (%s)\n", r.From, r.To, r.Trigger, r.By)
	}
	terminal := map[S]bool{}
	for _, s := range l.States() {
		terminal[s] = true
	}
	for _, r := range l.rules {
		if r.From != r.To {
			terminal[r.From] = false
		}
	}
	for _, s := range l.States() {
		if terminal[s] {
			fmt.Fprintf(&b, "    %s --> [*]\n", s)
		}
	}
	return b.String()
}

// FilingLifecycle is the enterprise filing lifecycle of SPEC.
var FilingLifecycle = newLifecycle("filing", FilingNew, []Rule[FilingState, FilingTrigger]{
	{FilingNew, FilingSubmit, FilingPendingReview, PartyOwner},
	{FilingPendingReview, FilingApprove, FilingApproved, PartyAdmin},
	{FilingPendingReview, FilingReject, FilingRejected, PartyAdmin},
	{FilingRejected, FilingResubmit, FilingPendingReview, PartyOwner},
	{FilingApproved, FilingAmend, FilingPendingReview, PartyOwner},
})

// ApplicationLifecycle is the certificate application lifecycle of SPEC.
var ApplicationLifecycle = newLifecycle("application", ApplicationNew, []Rule[ApplicationState, ApplicationTrigger]{
	{ApplicationNew, AppApply, AwaitingPayment, PartyOwner},
	{ApplicationNew, AppApplyByTransfer, AwaitingPayment, PartyOwner},
	{AwaitingPayment, AppPaymentSucceeded, PendingPreliminaryReview, PartySystem},
	{AwaitingPayment, AppTransferReceived, PendingPreliminaryReview, PartyFinance},
	{AwaitingPayment, AppPaymentFailed, AwaitingPayment, PartySystem},
	{AwaitingPayment, AppPaymentClosed, Cancelled, PartySystem},
	{AwaitingPayment, AppExpire, Cancelled, PartySystem},
	{AwaitingPayment, AppCancel, Cancelled, PartyOwner},
	{PendingPreliminaryReview, AppApprovePreliminary, AwaitingMaterials, PartyAdmin},
	{PendingPreliminaryReview, AppRejectPreliminary, PreliminaryRejected, PartyAdmin},
	{AwaitingMaterials, AppSubmitMaterials, PendingFinalReview, PartyOwner},
	{MaterialsRejected, AppSubmitMaterials, PendingFinalReview, PartyOwner},
	{PendingFinalReview, AppRejectFinal, MaterialsRejected, PartyAdmin},
	{PendingFinalReview, AppApproveFinal, CertificateInProduction, PartyAdmin},
	{CertificateInProduction, AppShip, CertificateShipped, PartyAdmin},
	{CertificateShipped, AppConfirmReceipt, Completed, PartyOwner},
	{CertificateShipped, AppAutoConfirm, Completed, PartySystem},
	{PendingFinalReview, AppTrackMaterials, PendingFinalReview, PartySystem},
	{PendingFinalReview, AppMaterialsDelivered, PendingFinalReview, PartySystem},
	{CertificateShipped, AppTrackCertificate, CertificateShipped, PartySystem},
	{CertificateShipped, AppCertificateDelivered, CertificateShipped, PartySystem},
	{PreliminaryRejected, AppRefund, PreliminaryRejected, PartySystem},
	{PreliminaryRejected, AppRefund, PreliminaryRejected, PartyFinance},
	{Cancelled, AppRefund, Cancelled, PartySystem},
	{Cancelled, AppCloseOrder, Cancelled, PartySystem},
})

// InvoiceLifecycle is the invoice of an application's fee, a lifecycle of
// its own kept with the application (Application.Invoice): each step is
// an application transition that leaves the application's state as it is.
// The enterprise asks; finance issues or rejects; a rejected request may
// be made again; an issued invoice is reversed by a reversing (红字)
// invoice, which a refund of the fee waits for, and the fee that remains
// may then be invoiced again.
var InvoiceLifecycle = newLifecycle("invoice", InvoiceNotRequested, []Rule[InvoiceState, ApplicationTrigger]{
	{InvoiceNotRequested, AppRequestInvoice, InvoiceRequested, PartyOwner},
	{InvoiceRequested, AppIssueInvoice, InvoiceIssued, PartyFinance},
	{InvoiceRequested, AppRejectInvoice, InvoiceRejected, PartyFinance},
	{InvoiceRejected, AppRequestInvoice, InvoiceRequested, PartyOwner},
	{InvoiceIssued, AppReverseInvoice, InvoiceReversed, PartyFinance},
	{InvoiceReversed, AppRequestInvoice, InvoiceRequested, PartyOwner},
})
