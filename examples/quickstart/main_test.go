package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQuickstart runs the whole walk-through and checks its milestones.
func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	s := out.String()
	for _, want := range []string{
		"Filing refused before storing anything",
		"Reviewer rejects the filing: Rejected",
		"the office sees the legal representative as 张* 1101**********002X",
		"Reviewer reveals the ID number to check it against the scan (audited): 11010519491231002X",
		"Reviewer approves the filing: Approved",
		"same application: true",
		"PendingPreliminaryReview",
		"may not decide the preliminary review: refused",
		"User asks for an invoice with a mistyped taxpayer ID: refused, notary: invalid input: invoice.taxpayer_id",
		"(the filing's): Requested",
		"Finance issues invoice 25442000000012345678 of 2026-11-30 for 600.00 CNY: Issued",
		"Final review rejects the materials: MaterialsRejected",
		"the tracker tells the office: materials delivered",
		"【已送达】纸质材料已签收",
		"公证书已送达：SF SF9876543210987",
		"auto-confirmation on 2026-12-14",
		"User confirms receipt: Completed",
		"refused while it is reserved",
		"expires 1 unpaid application: Cancelled",
		"selected again in a new application: AwaitingPayment",
		"User chooses to pay by bank transfer: 300.00 to 深圳市示例公证处, 中国工商银行深圳科技园支行 4000 0231 0900 1234 567, note NK",
		"Finance types the amount a fen short: refused, notary: invalid input: amount: transferred 299.99 CNY, quoted 300.00 CNY: short by 0.01 CNY",
		"Finance records transfer ICBC-20261130-0042: PendingPreliminaryReview",
		"hash chain verified",
		"events proven in the log, verified with the office's public key alone",
	} {
		assert.Contains(t, s, want)
	}
	assert.GreaterOrEqual(t, strings.Count(s, "email "), 15, "notices printed")
}
