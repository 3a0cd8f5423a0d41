package notary_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// badText are byte strings that are not valid UTF-8: raw bytes, a UTF-8
// encoded lone surrogate (U+DC00, what a JSON "\udc00" would become if a
// decoder passed it through) and a truncated sequence.
var badText = map[string]string{
	"raw bytes":      "a\xff\xfeb",
	"lone surrogate": "a\xed\xb0\x80b",
	"truncated":      "ab\xe4\xb8",
}

// TestInvalidUTF8IsRefused checks that no text the SDK stores or sends
// can be invalid UTF-8, whatever the host passes: every such call fails
// with ErrInvalidInput naming the field, and nothing changes.
func TestInvalidUTF8IsRefused(t *testing.T) {
	for badName, bad := range badText {
		t.Run(badName, func(t *testing.T) {
			e := newEnv(t)
			app := e.appIn(notary.PendingFinalReview)
			shipping := e.appIn(notary.CertificateInProduction)
			awaiting := e.appIn(notary.AwaitingMaterials)
			filing := func(change func(*notary.FilingContent)) func() error {
				return func() error {
					c := notarytest.FilingContent()
					change(&c)
					return errOnly(e.svc.Filings.Submit(e.ctx, bob, c))
				}
			}
			user := func(change func(*notary.User)) notary.User {
				u := alice
				change(&u)
				return u
			}
			for _, tc := range []struct {
				field string
				call  func() error
			}{
				{"enterprise_name", filing(func(c *notary.FilingContent) { c.EnterpriseName = bad })},
				{"credit_code", filing(func(c *notary.FilingContent) { c.CreditCode = bad })},
				{"business_license.uri", filing(func(c *notary.FilingContent) { c.BusinessLicense.URI = bad })},
				{"legal_rep.name", filing(func(c *notary.FilingContent) { c.LegalRep.Name = bad })},
				{"legal_rep.id_number", filing(func(c *notary.FilingContent) { c.LegalRep.IDNumber = bad })},
				{"contact_address", filing(func(c *notary.FilingContent) { c.ContactAddress = "8 Road " + bad })},
				{"contact_email", filing(func(c *notary.FilingContent) { c.ContactEmail = bad + "@example.com" })},
				{"contact_phone", filing(func(c *notary.FilingContent) { c.ContactPhone = bad })},
				{"user.name", func() error {
					return errOnly(e.svc.Applications.Cancel(e.ctx, user(func(u *notary.User) { u.Name = bad }), app.ID))
				}},
				{"user.id", func() error {
					return errOnly(e.svc.Applications.Mine(e.ctx, user(func(u *notary.User) { u.ID = bad }), nil, 0))
				}},
				{"user.locale", func() error {
					return errOnly(e.svc.Filings.Submit(e.ctx, notary.User{ID: "u-dan", Email: "dan@example.com", Locale: bad}, notarytest.FilingContent()))
				}},
				{"evidence[0].id", func() error {
					ev := notarytest.Evidence("x")
					ev[0].ID = bad
					return errOnly(e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{Evidence: ev}))
				}},
				{"evidence[0].title", func() error {
					ev := notarytest.Evidence("y")
					ev[0].Title = bad
					return errOnly(e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{Evidence: ev}))
				}},
				{"idempotency_key", func() error {
					return errOnly(e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{Evidence: notarytest.Evidence("z"), IdempotencyKey: bad}))
				}},
				{"reason", func() error {
					return errOnly(e.svc.Reviews.RejectFinal(e.ctx, e.reviewer, app.ID, app.Version, bad))
				}},
				{"certificate_number", func() error {
					return errOnly(e.svc.Reviews.ApproveFinal(e.ctx, e.reviewer, app.ID, app.Version, bad))
				}},
				{"carrier", func() error {
					return errOnly(e.svc.Reviews.Ship(e.ctx, e.reviewer, shipping.ID, shipping.Version, bad, "EE123456785CN"))
				}},
				{"tracking_number", func() error {
					return errOnly(e.svc.Applications.SubmitMaterials(e.ctx, alice, awaiting.ID, "SF", bad))
				}},
				{"name", func() error {
					return errOnly(e.svc.Admins.Create(e.ctx, e.supervisor, "new@office.example", bad, notary.RoleReviewer, adminPassword))
				}},
				{"email", func() error {
					return errOnly(e.svc.Admins.Create(e.ctx, e.supervisor, bad+"@office.example", "New", notary.RoleReviewer, adminPassword))
				}},
				{"password", func() error {
					return errOnly(e.svc.Admins.Create(e.ctx, e.supervisor, "new2@office.example", "New", notary.RoleReviewer, adminPassword+bad))
				}},
			} {
				before := []snapshot{e.snapshot(app.ID, app.EvidenceIDs()), e.snapshot(shipping.ID, nil), e.snapshot(awaiting.ID, nil)}
				err := tc.call()
				require.ErrorIs(t, err, notary.ErrInvalidInput, tc.field)
				var fe *notary.FieldError
				require.True(t, errors.As(err, &fe), "%s: %v", tc.field, err)
				assert.Equal(t, tc.field, fe.Field)
				after := []snapshot{e.snapshot(app.ID, app.EvidenceIDs()), e.snapshot(shipping.ID, nil), e.snapshot(awaiting.ID, nil)}
				require.Equal(t, before, after, "%s changed something", tc.field)
			}
			_, err := e.svc.Filings.Mine(e.ctx, bob)
			require.ErrorIs(t, err, notary.ErrNotFound, "no filing was stored")
		})
	}
}
