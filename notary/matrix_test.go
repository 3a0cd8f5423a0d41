package notary_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/notarykit/notarykit/notary"
)

// TestNoticeMatrixCoversEveryTriggerAndKind: every trigger of both
// lifecycles has its row, and every notice kind is sent by some row, always
// to the same side.
func TestNoticeMatrixCoversEveryTriggerAndKind(t *testing.T) {
	for _, tr := range notary.FilingLifecycle.Triggers() {
		_, ok := notary.Notices.Rule(notary.KindFiling, string(tr))
		assert.True(t, ok, "no notice row for filing %s", tr)
	}
	for _, tr := range notary.ApplicationLifecycle.Triggers() {
		_, ok := notary.Notices.Rule(notary.KindApplication, string(tr))
		assert.True(t, ok, "no notice row for application %s", tr)
	}
	for _, tr := range notary.InvoiceLifecycle.Triggers() {
		_, ok := notary.Notices.Rule(notary.KindApplication, string(tr))
		assert.True(t, ok, "no notice row for invoice %s", tr)
	}
	users, offices := map[notary.NoticeKind]bool{}, map[notary.NoticeKind]bool{}
	for _, r := range notary.Notices.Rules() {
		if r.User != "" {
			users[r.User] = true
		}
		if r.Office != "" {
			offices[r.Office] = true
		}
		assert.Equal(t, r.User == "" && r.Office == "", r.Carries == 0, "%s %s: data without a notice or a notice without data", r.Record, r.Trigger)
	}
	for _, k := range notary.NoticeKinds {
		assert.True(t, users[k] != offices[k], "%s must be sent to exactly one side", k)
	}
	for k := range users {
		assert.True(t, slices.Contains(notary.NoticeKinds, k), "%s is not in NoticeKinds", k)
	}
	for k := range offices {
		assert.True(t, slices.Contains(notary.NoticeKinds, k), "%s is not in NoticeKinds", k)
	}
	_, ok := notary.Notices.Rule(notary.KindFiling, "no-such-trigger")
	assert.False(t, ok)
}

func TestCarriesNames(t *testing.T) {
	assert.Equal(t, []string{"reason", "certificate number"}, (notary.CarriesReason | notary.CarriesCertificateNumber).Names())
	assert.Empty(t, notary.Carries(0).Names())
}

// Who is told what when an admin ships a certificate.
func ExampleNoticeMatrix_Rule() {
	r, _ := notary.Notices.Rule(notary.KindApplication, string(notary.AppShip))
	fmt.Println("user:", r.User)
	fmt.Println("office:", r.Office == "")
	fmt.Println("carries:", strings.Join(r.Carries.Names(), "; "))
	// Output:
	// user: certificate.shipped
	// office: true
	// carries: reason; evidence; fee; certificate number; certificate's carrier, tracking number
}
