package console

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/notarykit/notarykit/notary"
)

// TestEveryIdentifierHasAName: every state, trigger, notice kind, channel,
// personal field, ID type and payment status the SDK defines has a name in
// both languages, so no page falls back to showing the identifier.
func TestEveryIdentifierHasAName(t *testing.T) {
	named := func(table map[string]text, kind string, ids ...string) {
		t.Helper()
		for _, id := range ids {
			m, ok := table[id]
			if assert.True(t, ok, "%s %q has no name", kind, id) {
				assert.NotEmpty(t, m.zh, "%s %q in Chinese", kind, id)
				assert.NotEmpty(t, m.en, "%s %q in English", kind, id)
			}
		}
	}
	named(states, "filing state", strs(notary.FilingLifecycle.States())...)
	named(states, "application state", strs(notary.ApplicationLifecycle.States())...)
	named(states, "invoice state", strs(notary.InvoiceLifecycle.States())...)
	named(triggers, "filing trigger", strs(notary.FilingLifecycle.Triggers())...)
	named(triggers, "application trigger", strs(notary.ApplicationLifecycle.Triggers())...)
	named(triggers, "invoice trigger", strs(notary.InvoiceLifecycle.Triggers())...)
	named(triggers, "trigger", notary.TriggerReveal, notary.TriggerErase, notary.TriggerExport, notary.TriggerReseal,
		string(notary.AppTrackMaterials), string(notary.AppMaterialsDelivered), string(notary.AppTrackCertificate),
		string(notary.AppCertificateDelivered), string(notary.AppRefund), string(notary.AppCloseOrder))
	named(triggers, "admin trigger", strs([]notary.AdminTrigger{notary.AdminBootstrap, notary.AdminCreate, notary.AdminDisable,
		notary.AdminEnable, notary.AdminChangePassword, notary.AdminResetPassword, notary.AdminLogin, notary.AdminLoginFailed,
		notary.AdminLocked, notary.AdminLogout, notary.AdminEndSessions})...)
	named(noticeKinds, "notice kind", strs(notary.NoticeKinds)...)
	named(channels, "channel", string(notary.ChannelEmail), string(notary.ChannelInSite), string(notary.ChannelHost))
	named(personalFields, "personal field", strs(notary.PersonalFields())...)
	named(idTypes, "ID type", string(notary.IDResident), string(notary.IDPassport), string(notary.IDHKMO), string(notary.IDTaiwan))
	named(paymentStatuses, "payment status", string(notary.PaymentPending), string(notary.PaymentSucceeded),
		string(notary.PaymentFailed), string(notary.PaymentCancelled), string(notary.PaymentExpired))
	for _, r := range notary.Roles() {
		assert.NotEqual(t, "role."+string(r), roleName(r), "role %q has no name", r)
	}
}

func roleName(r notary.Role) string { return t(Chinese, "role."+string(r)) }

func strs[S ~string](list []S) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = string(s)
	}
	return out
}
