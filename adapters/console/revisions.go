package console

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// Filing revisions: the history on the filing page, a page per revision,
// and field-by-field comparisons (notary.Filings.Compare).

// contentFields are the names of the fields of a filing's content, as
// notary.FieldChange names them.
var contentFields = map[string]text{
	"enterprise_name":                    {"企业名称", "enterprise name"},
	"credit_code":                        {"统一社会信用代码", "unified social credit code"},
	"business_license":                   {"营业执照", "business licence"},
	string(notary.FieldLegalRepName):     {"法定代表人姓名", "legal representative's name"},
	"legal_rep.id_type":                  {"法定代表人证件类型", "legal representative's ID type"},
	string(notary.FieldLegalRepIDNumber): {"法定代表人证件号码", "legal representative's ID number"},
	"legal_rep_id":                       {"法定代表人身份证件", "legal representative's ID document"},
	"contact_address":                    {"联系地址", "contact address"},
	"contact_email":                      {"联系邮箱", "contact email"},
	string(notary.FieldContactPhone):     {"联系电话", "contact phone"},
	string(notary.FieldAgentName):        {"代理人姓名", "agent's name"},
	"agent.person.id_type":               {"代理人证件类型", "agent's ID type"},
	string(notary.FieldAgentIDNumber):    {"代理人证件号码", "agent's ID number"},
	"agent.power_of_attorney":            {"授权委托证明", "power of attorney"},
	"agent.id_document":                  {"代理人身份证件", "agent's ID document"},
}

// codeFields are the fields a comparison shows monospace: codes, numbers
// and documents (URI and digest).
var codeFields = map[string]bool{
	"credit_code": true, "business_license": true, "legal_rep_id": true, string(notary.FieldLegalRepIDNumber): true,
	string(notary.FieldAgentIDNumber): true, "agent.power_of_attorney": true, "agent.id_document": true,
}

// diffView is a comparison of two revisions of a filing.
type diffView struct {
	Title    string
	From, To int
	Rows     []diffRow
	Changed  int // rows that changed
}

// diffRow is one field of a comparison, in the reader's words.
type diffRow struct {
	Field    string // the SDK's name, for tests and anchors
	Label    string
	From, To string
	Changed  bool
	Code     bool // shown monospace (codes, numbers, documents)
}

// compare compares revisions from and to of a filing for the page.
func (c *Console) compare(r *http.Request, s session, id uuid.UUID, from, to int, title string) (*diffView, error) {
	changes, err := c.svc.Filings.Compare(r.Context(), s.Admin, id, from, to)
	if err != nil {
		return nil, err
	}
	v := &diffView{Title: title, From: from, To: to, Rows: make([]diffRow, len(changes))}
	for i, ch := range changes {
		row := diffRow{Field: ch.Field, Label: label(contentFields, s.Lang, ch.Field), From: ch.From, To: ch.To, Changed: ch.Changed,
			Code: codeFields[ch.Field]}
		if strings.HasSuffix(ch.Field, ".id_type") {
			row.From, row.To = idTypeLabel(s.Lang, ch.From), idTypeLabel(s.Lang, ch.To)
		}
		if row.Changed {
			v.Changed++
		}
		v.Rows[i] = row
	}
	return v, nil
}

// idTypeLabel names an identity document type; "" stays empty.
func idTypeLabel(l Lang, v string) string {
	if v == "" {
		return ""
	}
	return label(idTypes, l, v)
}

// historyRow is a revision in the filing page's history.
type historyRow struct {
	notary.FilingRevision
	Status string // message key: rev.inforce, rev.review, rev.rejected, rev.superseded, rev.earlier
}

// history lists a filing's revisions, newest first, with what each is now;
// and the comparison the reviewer needs: an amendment under review against
// the revision in force, or a resubmission against the revision before it.
func (c *Console) history(r *http.Request, s session, f notary.Filing, trail []notary.Event) ([]historyRow, *diffView, error) {
	revs, err := c.svc.Filings.Revisions(r.Context(), s.Admin, f.ID)
	if err != nil {
		return nil, nil, err
	}
	outcomes := notary.RevisionOutcomes(revs, trail)
	rows := make([]historyRow, len(revs))
	for i, rev := range revs {
		rows[len(revs)-1-i] = historyRow{FilingRevision: rev, Status: revisionStatus(f, rev.Number, outcomes[rev.Number])}
	}
	if f.State != notary.FilingPendingReview || !has(revs, f.Revision) {
		return rows, nil, nil
	}
	var diff *diffView
	switch {
	case f.InForce() && f.ApprovedRevision != f.Revision && has(revs, f.ApprovedRevision):
		diff, err = c.compare(r, s, f.ID, f.ApprovedRevision, f.Revision, tf(s.Lang, "diff.inforce", f.Revision, f.ApprovedRevision))
	case !f.InForce() && has(revs, f.Revision-1):
		diff, err = c.compare(r, s, f.ID, f.Revision-1, f.Revision, tf(s.Lang, "diff.previous", f.Revision, f.Revision-1))
	}
	return rows, diff, err
}

// revisionStatus is the message key of what revision n of f is now, its
// review having decided outcome (notary.RevisionOutcomes): in force, under
// review, rejected, in force once and since replaced, or an earlier one
// whose decision the trail does not tell.
func revisionStatus(f notary.Filing, n int, outcome notary.RevisionOutcome) string {
	switch {
	case n == f.ApprovedRevision && f.InForce():
		return "rev.inforce"
	case n == f.Revision && f.State == notary.FilingPendingReview:
		return "rev.review"
	case outcome == notary.RevisionRejected, n == f.Revision && f.State == notary.FilingRejected:
		return "rev.rejected"
	case outcome == notary.RevisionApproved:
		return "rev.superseded"
	}
	return "rev.earlier"
}

// has reports whether revs holds revision n.
func has(revs []notary.FilingRevision, n int) bool { return revisionIndex(revs, n) >= 0 }

// revisionIndex returns the index of revision n in revs, or -1.
func revisionIndex(revs []notary.FilingRevision, n int) int {
	return slices.IndexFunc(revs, func(r notary.FilingRevision) bool { return r.Number == n })
}

// revisionDetail is the page of one revision of a filing.
type revisionDetail struct {
	F       notary.Filing // the filing now
	R       notary.FilingRevision
	Status  string // as in historyRow
	Diff    *diffView
	Earlier int // the revision before, 0 for the first
	Later   int // the revision after, 0 for the latest
}

// revisionPage shows revision {n} of filing {id}, personal fields
// masked, with what changed since the revision before it.
func (c *Console) revisionPage(w http.ResponseWriter, r *http.Request, s session) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		return fmt.Errorf("%w: no revision %q", notary.ErrNotFound, r.PathValue("n"))
	}
	f, err := c.svc.Filings.Get(r.Context(), s.Admin, id)
	if err != nil {
		return err
	}
	revs, err := c.svc.Filings.Revisions(r.Context(), s.Admin, id)
	if err != nil {
		return err
	}
	i := revisionIndex(revs, n)
	if i < 0 {
		return fmt.Errorf("%w: no revision %d of filing %s", notary.ErrNotFound, n, id)
	}
	rev := revs[i]
	trail, err := c.svc.Audit.Trail(r.Context(), s.Admin, id)
	if err != nil {
		return err
	}
	d := revisionDetail{F: f, R: rev, Status: revisionStatus(f, n, notary.RevisionOutcomes(revs, trail)[n])}
	if n < f.Revision {
		d.Later = n + 1
	}
	if n > 1 {
		// A filing stored before revisions were kept may lack the one
		// before: then there is nothing to compare with.
		d.Diff, err = c.compare(r, s, id, n-1, n, tf(s.Lang, "diff.previous", n, n-1))
		switch {
		case err == nil:
			d.Earlier = n - 1
		case !errors.Is(err, notary.ErrNotFound):
			return err
		}
	}
	c.render(w, r, http.StatusOK, "revision", pageData{Lang: s.Lang, Title: tf(s.Lang, "rev.title", n) + " · " + rev.Content.EnterpriseName,
		Admin: &s.Admin, Waiting: s.Waiting, CSRF: s.CSRF, Nav: "filings", P: d})
	return nil
}
