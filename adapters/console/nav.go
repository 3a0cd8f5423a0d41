package console

import (
	"net/http"

	"github.com/notarykit/notarykit/notary"
)

// The console's navigation follows the SDK's duty table (notary.Role.May):
// an admin sees the links of the duties of its role. A reviewer sees the
// review queues with their counts; finance sees no review queue, and its
// pages (payments, ledger, invoices) slot in as rows with notary.DutyMoney.

// navItem is a link of the main navigation.
type navItem struct {
	Key   string      // pageData.Nav of the pages it leads to
	Path  string      // under the prefix
	Label string      // message key
	Count string      // the review queue (state) whose waiting count it shows, if any
	Duty  notary.Duty // the duty it belongs to; "" for every admin
}

// navigation is the main navigation, in order.
var navigation = []navItem{
	{Key: "dashboard", Path: "/", Label: "nav.dashboard"},
	{Key: "filings", Path: "/filings", Label: "nav.filings", Count: string(notary.FilingPendingReview), Duty: notary.DutyReview},
	{Key: string(notary.PendingPreliminaryReview), Path: "/applications?state=PendingPreliminaryReview", Label: "nav.preliminary",
		Count: string(notary.PendingPreliminaryReview), Duty: notary.DutyReview},
	{Key: string(notary.PendingFinalReview), Path: "/applications?state=PendingFinalReview", Label: "nav.final",
		Count: string(notary.PendingFinalReview), Duty: notary.DutyReview},
	{Key: string(notary.CertificateInProduction), Path: "/applications?state=CertificateInProduction", Label: "nav.ship",
		Count: string(notary.CertificateInProduction), Duty: notary.DutyReview},
	{Key: "finance", Path: "/finance", Label: "nav.finance", Duty: notary.DutyMoney},
	{Key: "invoices", Path: "/invoices", Label: "nav.invoices", Duty: notary.DutyMoney},
	{Key: "operations", Path: "/operations", Label: "nav.operations"},
	{Key: "staff", Path: "/staff", Label: "nav.staff", Duty: notary.DutyStaff},
}

// navFor is the navigation an admin of role sees.
func navFor(role notary.Role) []navItem {
	var out []navItem
	for _, n := range navigation {
		if n.Duty == "" || role.May(n.Duty) {
			out = append(out, n)
		}
	}
	return out
}

// duties are the office's duties in the order the home page lists them.
var duties = []notary.Duty{notary.DutyReview, notary.DutyMoney, notary.DutyStaff}

// dutyView is one duty of an admin's role on the home page, with the
// links of the navigation that belong to it.
type dutyView struct {
	Duty  notary.Duty
	Links []navItem
}

type homeView struct {
	Duties []dutyView
}

// home is the console's start page: the review dashboard for a role that
// reviews; for any other (finance) what the role may do, with its links,
// and no review queue.
func (c *Console) home(w http.ResponseWriter, r *http.Request, s session) error {
	if s.Admin.Role.May(notary.DutyReview) {
		return c.dashboardPage(w, r, s)
	}
	var v homeView
	for _, d := range duties {
		if !s.Admin.Role.May(d) {
			continue
		}
		dv := dutyView{Duty: d}
		for _, n := range navigation {
			if n.Duty == d {
				dv.Links = append(dv.Links, n)
			}
		}
		v.Duties = append(v.Duties, dv)
	}
	c.render(w, r, http.StatusOK, "home", pageData{Lang: s.Lang, Title: t(s.Lang, "dash.title"), Admin: &s.Admin,
		Waiting: s.Waiting, CSRF: s.CSRF, Nav: "dashboard", P: v})
	return nil
}
