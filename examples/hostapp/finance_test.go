package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// TestBankTransferOverHTTP: a user applies to pay by bank transfer and
// sees the office's account and the reference; finance records the
// transfer (a fen short is refused naming the amount; reviewers may not),
// keeps one without a reference and matches it; a refund due is recorded.
func TestBankTransferOverHTTP(t *testing.T) {
	h := start(t)
	user := h.user("acct-7", "finance@acme.example", "李经理")
	admin := h.admin(testAdminEmail, testAdminPassword)
	_, evidence := approvedFiling(user, admin)

	var app applicationView
	user.call("POST", "/api/applications", applyRequest{EvidenceIDs: []string{evidence[0].ID},
		PaymentMethod: notary.MethodBankTransfer}, 201, &app)
	require.NotNil(t, app.Payment.Transfer, "the user sees where to transfer")
	assert.Equal(t, notary.MethodBankTransfer, app.Payment.Method)
	assert.Equal(t, DemoOffice().BankAccount, app.Payment.Transfer.Account)
	assert.Equal(t, notary.TransferReference(app.ID), app.Payment.Transfer.Reference)
	assert.Equal(t, h.clock.Now().Add(7*24*time.Hour), app.ExpiresAt)
	user.fail("POST", "/api/applications", applyRequest{EvidenceIDs: []string{evidence[1].ID}, PaymentMethod: "cash"}, 400, "invalid_input")

	// The office's supervisor creates a finance account (the console's
	// staff page does this; here through the SDK).
	svc := h.app.svc
	token, _, err := svc.Admins.Login(t.Context(), testAdminEmail, testAdminPassword)
	require.NoError(t, err)
	chief, err := svc.Admins.Authenticate(t.Context(), token)
	require.NoError(t, err)
	_, err = svc.Admins.Create(t.Context(), chief, "cash@notary.example", "李会计", notary.RoleFinance, "finance password 12345")
	require.NoError(t, err)
	fin := h.admin("cash@notary.example", "finance password 12345")

	tr := transferRequest{Serial: "ICBC-20261130-0001", Reference: app.Payment.Transfer.Reference, PayerName: "示例科技有限公司",
		Amount: "299.99", Date: "2026-11-30"}
	admin.fail("POST", "/api/admin/finance/transfers", tr, 403, "forbidden")
	e := fin.fail("POST", "/api/admin/finance/transfers", tr, 400, "invalid_input")
	assert.Equal(t, "amount", e.Field)
	tr.Amount = app.Quote.Amount
	var res transferResult
	fin.call("POST", "/api/admin/finance/transfers", tr, 201, &res)
	require.NotNil(t, res.Application)
	assert.Equal(t, notary.PendingPreliminaryReview, res.Application.State)
	fin.call("POST", "/api/admin/finance/transfers", tr, 200, &res)
	assert.True(t, res.Replayed, "the same bank line again")

	// A transfer without a reference is kept; finance matches it.
	var second applicationView
	user.call("POST", "/api/applications", applyRequest{EvidenceIDs: []string{evidence[1].ID},
		PaymentMethod: notary.MethodBankTransfer}, 201, &second)
	var awaiting page[applicationView]
	fin.call("GET", "/api/admin/finance/awaiting", nil, 200, &awaiting)
	require.Len(t, awaiting.Items, 1)
	assert.Equal(t, second.ID, awaiting.Items[0].ID)
	fin.call("POST", "/api/admin/finance/transfers", transferRequest{Serial: "ICBC-20261130-0002", PayerName: "示例科技有限公司",
		Amount: second.Quote.Amount, Date: "2026-11-30"}, 201, &res)
	require.NotNil(t, res.Kept)
	assert.Equal(t, notary.ProblemNoReference, res.Kept.Problem)
	var kept page[transferView]
	fin.call("GET", "/api/admin/finance/transfers", nil, 200, &kept)
	require.Len(t, kept.Items, 1)
	fin.call("POST", "/api/admin/finance/transfers/"+kept.Items[0].ID.String()+"/match", matchRequest{ApplicationID: second.ID}, 200, &second)
	assert.Equal(t, notary.PendingPreliminaryReview, second.State)
	assert.Equal(t, "ICBC-20261130-0002", second.Payment.Serial)

	// Rejected: finance records the refund it transferred back.
	admin.call("POST", "/api/admin/applications/"+second.ID.String()+"/preliminary/reject",
		rejectRequest{Version: second.Version, Reason: "材料不清晰"}, 200, &second)
	assert.Nil(t, second.Refund)
	var due page[applicationView]
	fin.call("GET", "/api/admin/finance/refunds", nil, 200, &due)
	require.Len(t, due.Items, 1)
	e = fin.fail("POST", "/api/admin/applications/"+second.ID.String()+"/refund", refundRequest{Serial: "out 1", Date: "2026-11-30"}, 400, "invalid_input")
	assert.Equal(t, "serial", e.Field)
	fin.call("POST", "/api/admin/applications/"+second.ID.String()+"/refund", refundRequest{Serial: "ICBC-OUT-0001", Date: "2026-11-30"}, 200, &second)
	require.NotNil(t, second.Refund)
	assert.Equal(t, "ICBC-OUT-0001", second.Refund.ID)
}
