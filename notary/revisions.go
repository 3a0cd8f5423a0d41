package notary

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
)

// filesContent reports whether a filing trigger files content, and so
// stores a new FilingRevision with its transition.
func filesContent(t FilingTrigger) bool {
	return t == FilingSubmit || t == FilingResubmit || t == FilingAmend
}

// RevisionOutcome is the decision a filed revision got in review.
type RevisionOutcome string

// Revision outcomes.
const (
	RevisionUndecided RevisionOutcome = ""         // under review, or filed and then replaced undecided
	RevisionApproved  RevisionOutcome = "approved" // put in force; a later approval may have replaced it
	RevisionRejected  RevisionOutcome = "rejected"
)

// RevisionOutcomes returns, by revision number, the decision each of a
// filing's revisions (oldest first, as Filings.Revisions returns them)
// got, read from the filing's audit trail (oldest first, as Audit.Trail
// returns it): the first approve or reject after
// the event that filed the revision, before the next one filed. A
// revision whose filing event is not in the trail (one written when
// revisions began to be kept, for a filing filed before) is left out.
func RevisionOutcomes(revs []FilingRevision, trail []Event) map[int]RevisionOutcome {
	out := make(map[int]RevisionOutcome, len(revs))
	pending := 0 // the revision the last filing event filed, until decided
	next := 0    // revs[next:] are not matched to an event yet
	for _, ev := range trail {
		switch t := FilingTrigger(ev.Trigger); {
		case ev.RecordKind != KindFiling:
		case filesContent(t):
			pending = 0
			// The event that filed a revision has its trigger and time;
			// revisions are filed in trail order, so the search goes on
			// from the last one matched (two may share a time).
			for j := next; j < len(revs); j++ {
				if r := revs[j]; r.Trigger == t && r.SubmittedAt.Equal(ev.At) {
					pending, out[r.Number], next = r.Number, RevisionUndecided, j+1
					break
				}
			}
		case pending != 0 && t == FilingApprove:
			out[pending], pending = RevisionApproved, 0
		case pending != 0 && t == FilingReject:
			out[pending], pending = RevisionRejected, 0
		}
	}
	return out
}

// Revisions returns every content revision of a filing, oldest first, to
// its owner or an admin of the office (as Get), each revision's personal
// fields masked as the filing's are. The filing's ApprovedRevision names
// the one in force, its Revision the latest. Errors: ErrNotFound (no such
// filing), ErrForbidden, ErrUnauthenticated.
func (f *Filings) Revisions(ctx context.Context, actor Principal, id uuid.UUID) ([]FilingRevision, error) {
	if _, _, err := f.inspect(ctx, actor, id); err != nil {
		return nil, err
	}
	revs, err := f.s.store.FilingRevisions(ctx, id)
	if err != nil {
		return nil, err
	}
	for i := range revs {
		revs[i] = f.s.maskedRevision(ctx, revs[i])
	}
	return revs, nil
}

// Revision returns revision n of a filing (see Revisions), its personal
// fields masked: e.g. the revision an application was made under
// (Application.FilingRevision). Errors: ErrInvalidInput naming "revision"
// (n < 1), ErrNotFound (no such filing, or no revision n of it),
// ErrForbidden, ErrUnauthenticated.
func (f *Filings) Revision(ctx context.Context, actor Principal, id uuid.UUID, n int) (FilingRevision, error) {
	if n < 1 {
		return FilingRevision{}, invalid("revision", "is %d; revisions start at 1", n)
	}
	if _, _, err := f.inspect(ctx, actor, id); err != nil {
		return FilingRevision{}, err
	}
	rev, err := f.s.store.FilingRevision(ctx, id, n)
	if err != nil {
		return FilingRevision{}, err
	}
	return f.s.maskedRevision(ctx, rev), nil
}

// maskedRevision returns rev as a read shows it: every personal field
// opened and masked (never failing; see viewContent).
func (s *Service) maskedRevision(ctx context.Context, rev FilingRevision) FilingRevision {
	rev.Content, _ = s.viewContent(ctx, rev.FilingID, rev.Content, nil, false)
	return rev
}

// FieldChange is one field of a comparison of two revisions' contents
// (Filings.Compare). From and To are the field's values as reads show
// them: personal fields masked, documents as "URI sha256:HEX", absent
// values (no agent) empty.
type FieldChange struct {
	// Field is the field's path in FilingContent's JSON form, e.g.
	// "enterprise_name", "legal_rep.id_number", "agent.power_of_attorney";
	// a personal field is named as its PersonalField.
	Field string
	From  string
	To    string
	// Changed reports whether the values differ. Personal fields are
	// compared opened, so two different names with one mask (张三, 张四:
	// 张*) are a change, and the same number sealed twice is not.
	Changed bool
	// Personal says the field is personal (masked in From and To).
	Personal bool
}

// contentField is one row of the comparison table: a field of a filing's
// content and how its value reads.
type contentField struct {
	name string
	get  func(*FilingContent) string // "" when absent
}

// docValue is how a comparison shows a document.
func docValue(d Document) string {
	if d == (Document{}) {
		return ""
	}
	return d.URI + " sha256:" + d.SHA256
}

// agentValue reads a value of a filing's agent, "" without one.
func agentValue(get func(*Agent) string) func(*FilingContent) string {
	return func(c *FilingContent) string {
		if c.Agent == nil {
			return ""
		}
		return get(c.Agent)
	}
}

// contentFields lists, in the order a comparison shows them, every field
// of a filing's content.
var contentFields = []contentField{
	{"enterprise_name", func(c *FilingContent) string { return c.EnterpriseName }},
	{"credit_code", func(c *FilingContent) string { return c.CreditCode }},
	{"business_license", func(c *FilingContent) string { return docValue(c.BusinessLicense) }},
	{string(FieldLegalRepName), func(c *FilingContent) string { return c.LegalRep.Name }},
	{"legal_rep.id_type", func(c *FilingContent) string { return string(c.LegalRep.IDType) }},
	{string(FieldLegalRepIDNumber), func(c *FilingContent) string { return c.LegalRep.IDNumber }},
	{"legal_rep_id", func(c *FilingContent) string { return docValue(c.LegalRepID) }},
	{"contact_address", func(c *FilingContent) string { return c.ContactAddress }},
	{"contact_email", func(c *FilingContent) string { return c.ContactEmail }},
	{string(FieldContactPhone), func(c *FilingContent) string { return c.ContactPhone }},
	{string(FieldAgentName), agentValue(func(a *Agent) string { return a.Person.Name })},
	{"agent.person.id_type", agentValue(func(a *Agent) string { return string(a.Person.IDType) })},
	{string(FieldAgentIDNumber), agentValue(func(a *Agent) string { return a.Person.IDNumber })},
	{"agent.power_of_attorney", agentValue(func(a *Agent) string { return docValue(a.PowerOfAttorney) })},
	{"agent.id_document", agentValue(func(a *Agent) string { return docValue(a.IDDocument) })},
}

// Compare compares two revisions of a filing field by field, e.g. an
// amendment under review (the filing's Revision) against the revision in
// force (its ApprovedRevision). It returns every field of the content, in
// a fixed order, with its values in revision from and in revision to,
// masked as reads show them, and whether it changed (personal fields are
// compared opened, without showing them). For the filing's owner or an
// admin of the office, as Get. Errors: ErrInvalidInput naming "from" or
// "to" (not positive), ErrNotFound (no such filing or revision),
// ErrForbidden, ErrUnauthenticated.
func (f *Filings) Compare(ctx context.Context, actor Principal, id uuid.UUID, from, to int) ([]FieldChange, error) {
	switch {
	case from < 1:
		return nil, invalid("from", "is %d; revisions start at 1", from)
	case to < 1:
		return nil, invalid("to", "is %d; revisions start at 1", to)
	}
	if _, _, err := f.inspect(ctx, actor, id); err != nil {
		return nil, err
	}
	var open [2]FilingContent
	for i, n := range []int{from, to} {
		rev, err := f.s.store.FilingRevision(ctx, id, n)
		if err != nil {
			return nil, err
		}
		// Opened, not strict: a value that does not open reads
		// "[unreadable]" and compares as such, as a masked read shows it.
		if open[i], err = f.s.viewContent(ctx, id, rev.Content, PersonalFields(), false); err != nil {
			return nil, err
		}
	}
	out := make([]FieldChange, len(contentFields))
	for i, cf := range contentFields {
		a, b := cf.get(&open[0]), cf.get(&open[1])
		ch := FieldChange{Field: cf.name, From: a, To: b, Changed: a != b}
		if j := slices.IndexFunc(personalFields, func(p personalField) bool { return string(p.name) == cf.name }); j >= 0 {
			ch.Personal = true
			ch.From, ch.To = maskValue(personalFields[j], a), maskValue(personalFields[j], b)
		}
		out[i] = ch
	}
	return out, nil
}

// maskValue masks an opened value of a personal field as reads do; the
// markers of erased and unreadable values stay as they are.
func maskValue(pf personalField, v string) string {
	if v == "" || v == Erased || v == unreadable {
		return v
	}
	return pf.mask(v)
}

// revisionsToRewrite reads the stored revisions of filing rec and returns
// each with its content passed through rewrite, for a change that erases
// or reseals the filing's personal fields everywhere they are kept.
func (s *Service) revisionsToRewrite(ctx context.Context, rec Filing, rewrite func(FilingContent) (FilingContent, error)) ([]FilingRevision, error) {
	revs, err := s.store.FilingRevisions(ctx, rec.ID)
	if errors.Is(err, ErrNotFound) {
		return nil, wrap(ErrConflict, "filing %s changed meanwhile", rec.ID)
	}
	if err != nil {
		return nil, err
	}
	// A revision filed since rec was read is left out: the commit, made
	// on rec's version, fails with ErrConflict anyway.
	revs = slices.DeleteFunc(revs, func(r FilingRevision) bool { return r.Number > rec.Revision })
	for i := range revs {
		if revs[i].Content, err = rewrite(revs[i].Content); err != nil {
			return nil, fmt.Errorf("revision %d: %w", revs[i].Number, err)
		}
	}
	return revs, nil
}
