package notary_test

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// Only User and Admin (and, through Go's method sets, pointers to them)
// are principals a caller can pass: an AdminAccount, or an audit Actor
// claiming to be the system, is not, so such a call does not compile.
func TestPrincipalIsSealed(t *testing.T) {
	principal := reflect.TypeFor[notary.Principal]()
	for _, tc := range []struct {
		typ  reflect.Type
		want bool
	}{
		{reflect.TypeFor[notary.User](), true},
		{reflect.TypeFor[notary.Admin](), true},
		{reflect.TypeFor[*notary.User](), true},
		{reflect.TypeFor[*notary.Admin](), true},
		{reflect.TypeFor[notary.AdminAccount](), false},
		{reflect.TypeFor[*notary.AdminAccount](), false},
		{reflect.TypeFor[notary.Actor](), false},
		{reflect.TypeFor[string](), false},
	} {
		assert.Equal(t, tc.want, tc.typ.Implements(principal), "%v", tc.typ)
	}
}

// No exported method of the service's units takes an untyped value: every
// principal parameter is a Principal, a User or an Admin.
func TestNoMethodTakesAny(t *testing.T) {
	svc := reflect.TypeFor[notary.Service]()
	empty := reflect.TypeFor[any]()
	checked := 0
	for i := range svc.NumField() {
		f := svc.Field(i)
		if !f.IsExported() {
			continue
		}
		for m := range f.Type.Methods() {
			for in := range m.Type.Ins() {
				assert.NotEqual(t, empty, in, "%s.%s takes any", f.Name, m.Name)
			}
			checked++
		}
	}
	require.Greater(t, checked, 20, "the units' methods were walked")
}

// A nil Principal or nil pointer compiles, as any nil interface does, and
// is refused; a pointer to a User or Admin acts as the value.
func TestNilPrincipalIsForbidden(t *testing.T) {
	e := newEnv(t)
	app := e.appIn(notary.AwaitingPayment)
	for name, p := range map[string]notary.Principal{
		"nil": nil, "nil *User": (*notary.User)(nil), "nil *Admin": (*notary.Admin)(nil),
	} {
		_, err := e.svc.Applications.Get(e.ctx, p, app.ID)
		require.ErrorIs(t, err, notary.ErrForbidden, name)
		_, err = e.svc.Audit.Trail(e.ctx, p, app.ID)
		require.ErrorIs(t, err, notary.ErrForbidden, name)
	}
	got, err := e.svc.Applications.Get(e.ctx, &alice, app.ID)
	require.NoError(t, err, "*User acts as the user")
	assert.Equal(t, app.ID, got.ID)
	admin := e.reviewer
	_, err = e.svc.Audit.Report(e.ctx, &admin, app.ID)
	require.NoError(t, err, "*Admin acts as the admin")
	bobby := bob
	_, err = e.svc.Applications.Get(e.ctx, &bobby, app.ID)
	require.ErrorIs(t, err, notary.ErrForbidden, "a pointer is authorized as its value")
}
