package notary_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// TestRoleDuties pins who does what: reviewers touch no money, finance
// decides no review, only supervisors manage staff.
func TestRoleDuties(t *testing.T) {
	for _, tc := range []struct {
		role                notary.Role
		review, money, staf bool
	}{
		{notary.RoleReviewer, true, false, false},
		{notary.RoleSupervisor, true, false, true},
		{notary.RoleFinance, false, true, false},
		{"cashier", false, false, false},
		{"", false, false, false},
	} {
		t.Run(string(tc.role), func(t *testing.T) {
			require.Equal(t, tc.review, tc.role.May(notary.DutyReview), "review")
			require.Equal(t, tc.money, tc.role.May(notary.DutyMoney), "money")
			require.Equal(t, tc.staf, tc.role.May(notary.DutyStaff), "staff")
			require.Equal(t, tc.review || tc.money || tc.staf, tc.role.Valid())
		})
	}
	require.Equal(t, []notary.Role{notary.RoleReviewer, notary.RoleSupervisor, notary.RoleFinance}, notary.Roles())
}

// TestCreateFinance: a supervisor creates a finance admin, who logs in;
// an unknown role is invalid input naming "role".
func TestCreateFinance(t *testing.T) {
	e := newEnv(t)
	_, fin := e.newAdmin("cash@office.example", notary.RoleFinance)
	require.Equal(t, notary.RoleFinance, fin.Role)

	_, err := e.svc.Admins.Create(e.ctx, e.supervisor, "x@office.example", "X", "cashier", adminPassword)
	require.ErrorIs(t, err, notary.ErrInvalidInput)
	var fe *notary.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "role", fe.Field)

	// finance may not create staff
	_, err = e.svc.Admins.Create(e.ctx, fin, "y@office.example", "Y", notary.RoleReviewer, adminPassword)
	require.ErrorIs(t, err, notary.ErrForbidden)
}
