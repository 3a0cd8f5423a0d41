package console

import (
	"net/http"
	"strings"

	"github.com/notarykit/notarykit/notary"
)

// Revealing personal fields: a filing's personal fields (the legal
// representative's and agent's names and ID numbers, the contact phone)
// are masked on every page. A reviewer deciding the filing may ask to see
// chosen fields in full for one page view; the SDK (Filings.Reveal)
// authorizes that and records it on the filing's audit trail, which the
// page then shows.

// revealView is the reveal form of a filing page and what it revealed.
type revealView struct {
	// Can: the page offers the form, as the reviewer has a decision to
	// make on the filing (the SDK decides whether the reveal is allowed).
	Can bool
	// Fields are the personal fields the filing has, in the SDK's order.
	Fields []notary.PersonalField
	// Shown are the fields shown in full on this page view.
	Shown map[string]bool
}

// newRevealView offers the personal fields content has; revealed, if not
// nil, is the filing as Reveal returned it for the fields in shown.
func newRevealView(content notary.FilingContent, can bool, shown []notary.PersonalField) revealView {
	v := revealView{Can: can, Shown: set(shown)}
	for _, f := range notary.PersonalFields() {
		if content.Agent == nil && strings.HasPrefix(string(f), "agent.") {
			continue
		}
		v.Fields = append(v.Fields, f)
	}
	return v
}

// revealFiling shows the filing page with the chosen personal fields in
// full, for this answer only (nothing is kept in the session).
func (c *Console) revealFiling(w http.ResponseWriter, r *http.Request, s session) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var fields []notary.PersonalField
	for _, f := range r.PostForm["field"] {
		fields = append(fields, notary.PersonalField(f))
	}
	if len(fields) == 0 {
		err = &notary.FieldError{Field: "field", Reason: "choose at least one field"}
	}
	var revealed notary.Filing
	if err == nil {
		revealed, err = c.svc.Filings.Reveal(r.Context(), s.Admin, id, fields...)
	}
	if err != nil {
		return c.refused(w, r, s, "reveal", err, func(status int, msg string, f form) error {
			return c.showFiling(w, r, s, id, status, "", msg, f, nil)
		})
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = label(personalFields, s.Lang, string(f))
	}
	flash := tf(s.Lang, "done.reveal", strings.Join(names, t(s.Lang, "list.sep")))
	return c.showFiling(w, r, s, id, http.StatusOK, flash, "", form{}, &shownFiling{Filing: revealed, Fields: fields})
}

// shownFiling is a filing with personal fields in full, as Reveal
// returned it, and the fields it shows.
type shownFiling struct {
	notary.Filing
	Fields []notary.PersonalField
}
