package notary

import (
	"context"

	"github.com/google/uuid"
)

// ActionsAfter returns the actions actor may take next on app, as a
// transition (or Apply) made by actor returned it. It reads nothing: the
// transition has just authorized actor, so the permitted actions follow
// from the record's state and the party actor plays. A host answers a
// committed change with the record and its actions from this, so the
// answer cannot fail after the change was made (a second read could, and
// the client would then retry a change that happened).
//
// It is not an authorization check: for a user who does not own app, an
// admin of another office, or a record of another office it returns nil,
// and for an admin it does not check the session again (the next action
// will). To show a record to someone who did not just change it, use
// Inspect.
func (a *Applications) ActionsAfter(app Application, actor Principal) []ApplicationTrigger {
	p, ok := a.s.partyAfter(app.OfficeID, app.Owner.ID, actor)
	if !ok {
		return nil
	}
	return applicationActions(context.Background(), app, p)
}

// applicationActions lists what party may do with app now: the
// application's own triggers, then those of its invoice (asking for one
// only while part of a paid fee is left to invoice).
func applicationActions(ctx context.Context, app Application, p Party) []ApplicationTrigger {
	out := ApplicationLifecycle.Permitted(ctx, app.State, p)
	for _, tr := range InvoiceLifecycle.Permitted(ctx, InvoiceStateOf(app), p) {
		if tr == AppRequestInvoice && !Invoiceable(app).IsPositive() {
			continue
		}
		out = append(out, tr)
	}
	return out
}

// ActionsAfter is Applications.ActionsAfter for a filing returned by a
// transition actor made.
func (f *Filings) ActionsAfter(filing Filing, actor Principal) []FilingTrigger {
	p, ok := f.s.partyAfter(filing.OfficeID, filing.Owner.ID, actor)
	if !ok {
		return nil
	}
	return FilingLifecycle.Permitted(context.Background(), filing.State, p)
}

// partyAfter is the party actor played in a transition it just made on a
// record of officeID owned by ownerID, decided without I/O.
func (s *Service) partyAfter(officeID uuid.UUID, ownerID string, actor Principal) (Party, bool) {
	if officeID != s.office.ID {
		return "", false
	}
	switch a := actor.(type) {
	case User:
		return PartyOwner, a.ID != "" && a.ID == ownerID
	case Admin:
		return a.Role.party(), a.OfficeID == s.office.ID && a.Role.Valid()
	}
	return "", false
}
