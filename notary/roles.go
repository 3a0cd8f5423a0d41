package notary

import (
	"context"
	"slices"
	"strings"
)

// RoleFinance is the finance role (财务): it records payments, refunds and
// invoices and may read the office's records, but decides no review.
const RoleFinance Role = "finance"

// Duty is a kind of work the office gives to admins; what a Role may do is
// the set of its duties (see Role.May).
type Duty string

// The duties of the office's admins.
const (
	// DutyReview decides filings and applications (初审, 终审) and ships
	// certificates: the lifecycle's admin party.
	DutyReview Duty = "review"
	// DutyMoney records payments received, refunds paid and invoices.
	DutyMoney Duty = "money"
	// DutyStaff manages the office's admin accounts.
	DutyStaff Duty = "staff"
)

// roleDuties is the rule of who does what among the office's admins, in one
// place: reviewers review and touch no money; finance handles money and
// decides no review; supervisors review and manage staff. A role not listed
// here is no admin role at all.
var roleDuties = map[Role][]Duty{
	RoleReviewer:   {DutyReview},
	RoleSupervisor: {DutyReview, DutyStaff},
	RoleFinance:    {DutyMoney},
}

// Roles lists the admin roles in a stable order.
func Roles() []Role { return []Role{RoleReviewer, RoleSupervisor, RoleFinance} }

// Valid reports whether r is an admin role.
func (r Role) Valid() bool {
	_, ok := roleDuties[r]
	return ok
}

// May reports whether role r has duty d.
func (r Role) May(d Duty) bool { return slices.Contains(roleDuties[r], d) }

// party is the lifecycle party an admin of role r plays: the office's admin
// party when it reviews, the finance party otherwise (which fires no review
// transition).
func (r Role) party() Party {
	if r.May(DutyReview) {
		return PartyAdmin
	}
	return PartyFinance
}

// checkRole refuses a role that is not an admin role, naming field.
func checkRole(field string, r Role) error {
	if r.Valid() {
		return nil
	}
	names := make([]string, 0, len(roleDuties))
	for _, v := range Roles() {
		names = append(names, string(v))
	}
	return invalid(field, "must be one of %s", strings.Join(names, ", "))
}

// dutyAdmin authorizes an admin of the office (see liveAdmin) whose stored
// account's role has duty d. Errors: ErrUnauthenticated, ErrForbidden.
func (s *Service) dutyAdmin(ctx context.Context, a Admin, d Duty) (AdminAccount, error) {
	acct, err := s.liveAdmin(ctx, a)
	if err != nil {
		return AdminAccount{}, err
	}
	if !acct.Role.May(d) {
		return AdminAccount{}, wrap(ErrForbidden, "admin %s (%s) may not do %s work", a.ID, acct.Role, d)
	}
	return acct, nil
}
