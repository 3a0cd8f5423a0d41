package console

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/notarykit/notarykit/notary"
)

// Lang is a language of the console: Chinese first, English switchable.
type Lang string

// The console's languages.
const (
	Chinese Lang = "zh"
	English Lang = "en"
)

// langs are the console's languages, the default first.
var langs = []Lang{Chinese, English}

// HTMLLang is the lang attribute of a page in l.
func (l Lang) HTMLLang() string {
	if l == English {
		return "en"
	}
	return "zh-CN"
}

// text is one message in each language.
type text struct{ zh, en string }

func (t text) in(l Lang) string {
	if l == English {
		return t.en
	}
	return t.zh
}

// messages are the console's words, by key. A missing key renders as the
// key itself, which the tests catch.
var messages = map[string]text{
	"review":                   {"审核台", "Review console"},
	"login.title":              {"管理员登录", "Admin login"},
	"login.email":              {"邮箱", "Email"},
	"login.password":           {"密码", "Password"},
	"login.submit":             {"登录", "Log in"},
	"login.wrong":              {"邮箱或密码错误，或账户已被锁定。", "Wrong email or password, or the account is locked."},
	"login.expired":            {"表单已过期，请重新登录。", "The form expired. Please log in again."},
	"logout":                   {"退出登录", "Log out"},
	"logged.out":               {"您已退出登录。", "You are logged out."},
	"nav.filings":              {"企业备案", "Filings"},
	"nav.preliminary":          {"初审", "Preliminary"},
	"nav.final":                {"终审", "Final"},
	"nav.ship":                 {"待寄送", "To ship"},
	"nav.applications":         {"公证申请", "Applications"},
	"nav.main":                 {"主导航", "Main"},
	"nav.queues":               {"队列", "Queues"},
	"lang.switch":              {"English", "中文"},
	"filings.title":            {"企业备案", "Enterprise filings"},
	"applications.title":       {"公证书申请", "Certificate applications"},
	"col.enterprise":           {"企业", "Enterprise"},
	"col.credit":               {"统一社会信用代码", "Unified social credit code"},
	"col.revision":             {"版本", "Revision"},
	"col.owner":                {"提交人", "Submitted by"},
	"col.submitted":            {"提交时间", "Submitted"},
	"col.updated":              {"更新时间", "Updated"},
	"col.application":          {"申请编号", "Application"},
	"col.applicant":            {"申请人", "Applicant"},
	"col.evidence":             {"证据数", "Evidence"},
	"col.fee":                  {"费用", "Fee"},
	"col.materials":            {"纸质材料", "Paper materials"},
	"col.created":              {"创建时间", "Created"},
	"queue.empty":              {"此队列为空。", "Nothing in this queue."},
	"next":                     {"下一页 →", "Next page →"},
	"back.queue":               {"← 返回队列", "← Back to the queue"},
	"state":                    {"状态", "State"},
	"version":                  {"版本号", "version"},
	"revision":                 {"第 %d 版", "revision %d"},
	"revision.in.force":        {"生效版本：第 %d 版", "revision %d in force"},
	"revisions":                {"版本记录", "Revision history"},
	"rev.col.status":           {"状态", "Status"},
	"rev.col.trigger":          {"提交方式", "Filed by way of"},
	"rev.col.at":               {"提交时间", "Filed at"},
	"rev.col.by":               {"提交人", "Filed by"},
	"rev.inforce":              {"生效中", "in force"},
	"rev.review":               {"待审核", "under review"},
	"rev.rejected":             {"已驳回", "rejected"},
	"rev.superseded":           {"曾生效", "in force before"},
	"rev.earlier":              {"历史版本", "earlier"},
	"rev.title":                {"第 %d 版备案内容", "Filing revision %d"},
	"rev.back":                 {"返回备案", "Back to the filing"},
	"rev.masked":               {"个人信息已脱敏显示。", "Personal data is shown masked."},
	"diff.inforce":             {"变更对比：第 %d 版（待审核）与生效的第 %d 版", "Changes: revision %d (under review) against revision %d in force"},
	"diff.previous":            {"变更对比：第 %d 版与第 %d 版", "Changes: revision %d against revision %d"},
	"diff.field":               {"项目", "Field"},
	"diff.changed":             {"已变更", "changed"},
	"diff.count":               {"共 %d 项变更。", "%d fields changed."},
	"diff.none":                {"内容没有变化。", "Nothing changed."},
	"a.filing.current":         {"当前备案", "current filing"},
	"last.reason":              {"最近的驳回理由：", "Last rejection: "},
	"filing.content":           {"备案内容", "Filing"},
	"f.licence":                {"营业执照", "Business licence"},
	"f.legalrep":               {"法定代表人", "Legal representative"},
	"f.legalrep.id":            {"法定代表人身份证件", "Legal representative's ID document"},
	"f.address":                {"联系地址", "Contact address"},
	"f.contact":                {"联系邮箱 / 电话", "Contact email / phone"},
	"f.agent":                  {"代理人", "Agent"},
	"f.poa":                    {"授权委托证明", "Power of attorney"},
	"f.agent.id":               {"代理人身份证件", "Agent's ID document"},
	"f.owner":                  {"提交人", "Submitted by"},
	"f.times":                  {"提交 / 更新", "Submitted / updated"},
	"host.user":                {"宿主用户", "host user"},
	"bytes":                    {"字节", "bytes"},
	"application":              {"公证申请", "Application"},
	"applicant":                {"申请人", "Applicant"},
	"a.user":                   {"用户", "User"},
	"a.filing":                 {"企业备案", "Filing"},
	"a.fee":                    {"费用", "Fee"},
	"a.records":                {"%d 条证据", "%d records"},
	"a.payment":                {"支付", "Payment"},
	"a.paid":                   {"支付于", "paid"},
	"a.refund":                 {"退款", "Refund"},
	"a.materials":              {"纸质材料", "Paper materials"},
	"a.attempt":                {"第 %d 次提交", "attempt %d"},
	"a.certno":                 {"公证书编号", "Certificate number"},
	"a.shipped":                {"公证书寄送", "Certificate shipped"},
	"a.times":                  {"创建 / 更新", "Created / updated"},
	"evidence":                 {"证据", "Evidence"},
	"ev.id":                    {"编号", "ID"},
	"ev.title":                 {"标题", "Title"},
	"decision":                 {"审核决定", "Decision"},
	"reason.label":             {"驳回理由（将告知用户）", "Reason, shown to the user"},
	"certno.label":             {"公证书编号", "Certificate number"},
	"carrier.label":            {"快递公司", "Carrier"},
	"tracking.label":           {"运单号", "Tracking number"},
	"btn.approve":              {"通过", "Approve"},
	"btn.reject":               {"驳回", "Reject"},
	"btn.approve_prelim":       {"初审通过", "Pass preliminary review"},
	"btn.reject_prelim":        {"初审不通过（退款）", "Reject preliminary review (refund)"},
	"btn.approve_final":        {"审核通过", "Pass final review"},
	"btn.reject_final":         {"材料不通过", "Reject materials"},
	"btn.ship":                 {"寄出公证书", "Record shipment"},
	"audit":                    {"审计记录", "Audit trail"},
	"audit.ok":                 {"哈希链校验通过 ✓（%d 条事件）", "Hash chain verified ✓ (%d events)"},
	"audit.broken":             {"哈希链校验失败：", "Hash chain broken: "},
	"audit.at":                 {"时间", "At"},
	"audit.action":             {"操作", "Action"},
	"audit.fromto":             {"状态变化", "From → To"},
	"audit.by":                 {"操作人", "By"},
	"audit.reason":             {"理由", "Reason"},
	"audit.hash":               {"哈希", "Hash"},
	"done.approve":             {"备案已通过，已通知用户。", "Filing approved; the user is notified."},
	"done.reject":              {"备案已驳回，已告知用户理由。", "Filing rejected; the user is told the reason."},
	"done.approve-preliminary": {"初审已通过，用户将收到初审通过告知书。", "Preliminary review passed; the user receives the 初审通过告知书."},
	"done.reject-preliminary":  {"初审未通过，证据已释放，费用按规定退还。", "Preliminary review rejected; evidence released, fee refunded per policy."},
	"done.approve-final":       {"审核已通过，公证书制作中。", "Final review passed; the certificate is in production."},
	"done.reject-final":        {"材料未通过，已告知用户理由。", "Paper materials rejected; the user is told the reason."},
	"done.ship":                {"已记录公证书寄送，已通知用户。", "Certificate shipment recorded; the user is notified."},
	"err.conflict":             {"该记录已被他人修改，请按当前内容重新审核。您填写的内容已保留。", "Someone else changed this record meanwhile; review it as it is now. What you typed is kept."},
	"err.transition":           {"当前状态下不能执行此操作。", "This action is not possible in the record's current state."},
	"err.notfound":             {"找不到该页面或记录。", "No such page or record."},
	"err.method":               {"此地址不支持该请求方法。", "This address does not accept that method."},
	"err.forbidden":            {"无权执行此操作。", "You may not do this."},
	"err.csrf":                 {"表单已失效，请刷新页面后重试。", "The form expired: reload the page and try again."},
	"err.unavailable":          {"服务暂时不可用，请稍后重试。", "Temporarily unavailable. Please try again in a moment."},
	"err.internal":             {"内部错误，请稍后重试。", "Internal error. Please try again later."},
	"err.invalid":              {"输入有误：", "Invalid input: "},
	"err.param":                {"地址中的参数 %s（%s）有误：%s", "The address's parameter %s (%s) is wrong: %s"},
	"err.back":                 {"返回首页", "Back to the start page"},
	"title.error":              {"出错了", "Error"},
	"title.notfound":           {"页面不存在", "Not found"},
	"title.bad":                {"请求有误", "Bad request"},
	"title.forbidden":          {"无权操作", "Not allowed"},
	"title.conflict":           {"记录已变化", "The record changed"},
	"title.method":             {"请求方法不允许", "Method not allowed"},
	"actor.user":               {"用户", "user"},
	"actor.admin":              {"管理员", "admin"},
	"actor.system":             {"系统", "system"},
	"role.reviewer":            {"审核员", "reviewer"},
	"role.supervisor":          {"主管", "supervisor"},
	"role.finance":             {"财务", "finance"},
	"tracking":                 {"物流状态：", "Courier status: "},
	"tracking.signed":          {"签收于", "signed for"},
	"tracking.scan":            {"最新扫描", "latest scan"},
	"search.title":             {"搜索", "Search"},
	"search.label":             {"搜索企业名称、信用代码、申请编号（或末尾 6 位以上）、运单号、公证书编号", "Search by enterprise name, credit code, application ID (or its last 6 or more characters), tracking number, certificate number"},
	"search.button":            {"搜索", "Search"},
	"search.placeholder":       {"名称 / 代码 / 编号 / 运单号", "Name, credit code, ID, tracking"},
	"search.none":              {"没有找到匹配的记录。", "Nothing matches."},
	"search.filings":           {"企业备案", "Filings"},
	"search.applications":      {"公证申请", "Applications"},
	"col.state":                {"状态", "State"},
	"waiting":                  {"%d 件待处理", "%d waiting"},
	"nav.staff":                {"人员", "Staff"},
	"nav.finance":              {"财务", "Finance"},
	"finance.title":            {"对公转账与退款", "Bank transfers and refunds"},
	"finance.record":           {"登记到账转账", "Record a received transfer"},
	"finance.record.about":     {"按银行流水登记：附言中的付款编号对应待付款申请且金额相符时，申请即进入初审；否则记为未匹配。", "Record what the bank statement shows: a transfer whose reference names an application awaiting it, for its exact fee, pays it; any other is kept as unmatched."},
	"finance.serial":           {"银行流水号", "Bank serial number"},
	"finance.reference":        {"付款编号（附言）", "Reference (note)"},
	"finance.payer":            {"付款户名", "Payer"},
	"finance.amount":           {"金额（元）", "Amount (CNY)"},
	"finance.date":             {"到账日期", "Value date"},
	"finance.record.button":    {"登记", "Record"},
	"finance.paid":             {"已登记，申请 %s 已付款", "Recorded: application %s is paid"},
	"finance.kept":             {"已登记为未匹配转账：%s", "Recorded as unmatched: %s"},
	"finance.unmatched":        {"未匹配的转账", "Unmatched transfers"},
	"finance.unmatched.none":   {"没有未匹配的转账。", "No unmatched transfers."},
	"finance.problem":          {"未匹配原因", "Why unmatched"},
	"finance.match":            {"匹配到申请", "Match to an application"},
	"finance.application":      {"申请编号", "Application ID"},
	"finance.match.button":     {"匹配", "Match"},
	"finance.awaiting":         {"等待对公转账的申请", "Applications awaiting a transfer"},
	"finance.awaiting.none":    {"没有等待转账的申请。", "No application awaits a transfer."},
	"finance.fee":              {"应付金额", "Fee"},
	"finance.deadline":         {"付款截止", "Pay by"},
	"finance.refunds":          {"待退款（对公转账）", "Refunds due by transfer"},
	"finance.refunds.about":    {"将款项转回付款账户后，登记退款转账的流水号；登记后退款才算完成。", "Transfer the money back, then record the outgoing serial number: only then is the refund done."},
	"finance.refunds.none":     {"没有待退款。", "No refund is due."},
	"finance.paid.serial":      {"付款流水号", "Paid with serial"},
	"finance.refund":           {"登记退款", "Record the refund"},
	"finance.out.serial":       {"退款流水号", "Outgoing serial number"},
	"finance.refund.button":    {"登记退款", "Record refund"},
	"staff.title":              {"人员管理", "Staff"},
	"staff.create":             {"新建账户", "New account"},
	"staff.email":              {"邮箱", "Email"},
	"staff.name":               {"姓名", "Name"},
	"staff.role":               {"角色", "Role"},
	"staff.state":              {"状态", "State"},
	"staff.failed":             {"连续登录失败", "Failed logins"},
	"staff.created.at":         {"创建时间", "Created"},
	"staff.create.button":      {"创建并生成初始密码", "Create with a generated password"},
	"staff.created":            {"已创建账户 %s。", "Account %s created."},
	"staff.issued":             {"初始密码（仅显示这一次，请当面交给本人）：", "Password (shown only this once; hand it over in person):"},
	"staff.audit":              {"登录与账户审计", "Login and account audit"},
	"staff.self":               {"这是您自己的账户：不能在此停用、重置或结束会话。", "This is your own account: it cannot be disabled, reset or logged out here."},
	"staff.disable":            {"停用账户", "Disable account"},
	"staff.enable":             {"启用账户", "Enable account"},
	"staff.reset":              {"重置密码", "Reset password"},
	"staff.end":                {"结束全部会话", "End all sessions"},
	"staff.actions":            {"操作", "Actions"},
	"done.disable":             {"账户已停用，其会话已全部结束。", "Account disabled; its sessions are ended."},
	"done.enable":              {"账户已启用。", "Account enabled."},
	"done.end-sessions":        {"该账户的全部会话已结束。", "Every session of the account is ended."},
	"done.reset-password":      {"密码已重置，该账户的会话已全部结束。", "Password reset; the account's sessions are ended."},
	"astate.active":            {"正常", "active"},
	"astate.locked":            {"已锁定", "locked"},
	"astate.disabled":          {"已停用", "disabled"},
	"back.staff":               {"← 返回人员列表", "← Back to the staff"},
	"csv.id":                   {"申请编号", "Application ID"},
	"csv.amount":               {"金额", "Amount"},
	"csv.currency":             {"币种", "Currency"},
	"csv.paid":                 {"支付时间", "Paid at"},
	"csv.refund":               {"退款金额", "Refunded"},
	"export.title":             {"导出申请与费用（CSV）", "Export applications and fees (CSV)"},
	"export.from":              {"起始日期", "From"},
	"export.to":                {"截止日期（不含）", "To (exclusive)"},
	"export.button":            {"导出 CSV", "Export CSV"},
	"nav.operations":           {"运维", "Operations"},
	"ops.title":                {"运维", "Operations"},
	"ops.dead":                 {"投递失败的通知", "Undelivered notices"},
	"ops.dead.about":           {"通知多次投递失败后停止重试；排除原因（如邮箱地址）后可重新投递。", "Notices the relay gave up on after repeated failures; fix the cause (e.g. the address) and send them again."},
	"ops.none":                 {"没有投递失败的通知。", "No undelivered notices."},
	"ops.stuck":                {"定时任务未能处理的申请", "Sweep problems"},
	"ops.stuck.about":          {"定时任务（超时取消、退款、关闭订单、自动确认收货）在这些申请上反复失败。标为“需人工处理”的不会再自动重试。", "Applications on which a background duty (expiry, refund, closing an order, confirming receipt) keeps failing. Those marked “needs an operator” are not tried again automatically."},
	"ops.stuck.none":           {"定时任务没有遇到问题。", "The sweep has no problems."},
	"ops.duty":                 {"任务", "Duty"},
	"ops.since":                {"首次失败", "Failing since"},
	"ops.next":                 {"下次重试", "Next try"},
	"ops.permanent":            {"需人工处理", "needs an operator"},
	"ops.kind":                 {"通知类型", "Notice"},
	"ops.channel":              {"渠道", "Channel"},
	"ops.to":                   {"收件人", "To"},
	"ops.record":               {"记录", "Record"},
	"ops.attempts":             {"尝试次数", "Attempts"},
	"ops.error":                {"最后错误", "Last error"},
	"ops.retry":                {"重新投递", "Retry"},
	"done.retry":               {"已重新排队，将在下次投递时发送。", "Queued again; the relay sends it on its next run."},
	"chain.broken":             {"警告：此记录的审计哈希链校验失败，记录可能被篡改。请立即联系技术负责人，勿据此作出决定。", "Warning: this record's audit hash chain does not verify; the record may have been tampered with. Tell the technical lead at once and decide nothing on it."},
	"nav.dashboard":            {"概览", "Overview"},
	"dash.title":               {"概览", "Overview"},
	"dash.chart":               {"各队列待处理数量", "Waiting per queue"},
	"dash.queue":               {"队列", "Queue"},
	"dash.count":               {"待处理", "Waiting"},
	"dash.oldest":              {"等待最久", "Oldest"},
	"dash.since":               {"已等待", "Waiting for"},
	"dash.turnaround":          {"审核用时（待审核 → 决定），按周", "Review turnaround (waiting → decided), per week"},
	"dash.median":              {"中位数", "Median"},
	"dash.p90":                 {"90 分位", "90th percentile"},
	"dash.week":                {"周（周一起）", "Week of"},
	"dash.decisions":           {"决定数", "Decisions"},
	"dash.applications":        {"每月申请数", "Applications per month"},
	"dash.fees":                {"每月已付费用", "Fees paid per month"},
	"dash.month":               {"月份", "Month"},
	"dash.made":                {"申请", "Applications"},
	"dash.paid":                {"已付款", "Paid"},
	"dash.feesum":              {"费用", "Fees"},
	"dash.refunded":            {"已退款", "Refunded"},
	"skip":                     {"跳到正文", "Skip to content"},
	"why.reveal":               {"完整查看：", "viewed in full: "},
	"why.invoice":              {"发票 %s（开票日期 %s）", "invoice %s of %s"},
	"why.reversal":             {"红字发票 %s（开票日期 %s），冲销发票 %s", "reversing invoice %s of %s for invoice %s"},
	"colon":                    {"：", ": "},
	"home.role":                {"您的角色：", "Your role: "},
	"home.everyone":            {"所有管理员", "Every admin"},
	"duty.review":              {"审核", "Review"},
	"duty.review.about":        {"审核企业备案与公证申请（初审、终审），寄出公证书。", "Decide filings and applications (preliminary and final review) and ship certificates."},
	"duty.money":               {"财务", "Finance"},
	"duty.money.about":         {"登记收款与退款、开具发票、导出费用明细；不参与审核。", "Record payments received and refunds paid, issue invoices, export the fees; no review decisions."},
	"duty.staff":               {"人员管理", "Staff"},
	"duty.staff.about":         {"新建、停用和启用管理员账户，重置密码，结束会话。", "Create, disable and enable admin accounts, reset passwords, end sessions."},
	"list.sep":                 {"、", ", "},
	"reveal.legend":            {"查看完整个人信息", "Show personal data in full"},
	"reveal.note":              {"仅在本次页面显示；每次查看都记入审计记录。", "Shown on this page view only; every view is recorded in the audit trail."},
	"reveal.button":            {"显示所选信息", "Show the chosen fields"},
	"done.reveal":              {"已显示完整信息：%s。此次查看已记入审计记录。", "Shown in full: %s. This view is recorded in the audit trail."},
}

// states are the names of record states, by language.
var states = map[string]text{
	string(notary.FilingNew):                {"新建", "New"},
	string(notary.FilingPendingReview):      {"待审核", "Pending review"},
	string(notary.FilingApproved):           {"已通过", "Approved"},
	string(notary.FilingRejected):           {"已驳回", "Rejected"},
	string(notary.AwaitingPayment):          {"待支付", "Awaiting payment"},
	string(notary.PendingPreliminaryReview): {"待初审", "Pending preliminary review"},
	string(notary.PreliminaryRejected):      {"初审未通过", "Preliminary review rejected"},
	string(notary.AwaitingMaterials):        {"待寄送材料", "Awaiting paper materials"},
	string(notary.PendingFinalReview):       {"待终审", "Pending final review"},
	string(notary.MaterialsRejected):        {"材料未通过", "Materials rejected"},
	string(notary.CertificateInProduction):  {"制证中（待寄送）", "Certificate in production"},
	string(notary.CertificateShipped):       {"已寄出", "Certificate shipped"},
	string(notary.Completed):                {"已完成", "Completed"},
	string(notary.Cancelled):                {"已取消", "Cancelled"},
	string(notary.InvoiceNotRequested):      {"未申请发票", "no invoice requested"},
	string(notary.InvoiceRequested):         {"待开票", "invoice requested"},
	string(notary.InvoiceIssued):            {"已开票", "invoice issued"},
	string(notary.InvoiceReversed):          {"已红冲", "invoice reversed"},
	notary.AdminStateActive:                 {"正常", "active"},
	notary.AdminStateLocked:                 {"已锁定", "locked"},
	notary.AdminStateDisabled:               {"已停用", "disabled"},
}

// trackingStates are the courier's consignment states, by language.
var trackingStates = map[string]text{
	string(notary.TrackingUnknown):        {"暂无物流信息", "no scans yet"},
	string(notary.TrackingPickedUp):       {"已揽收", "picked up"},
	string(notary.TrackingInTransit):      {"运输中", "in transit"},
	string(notary.TrackingOutForDelivery): {"派件中", "out for delivery"},
	string(notary.TrackingDelivered):      {"已签收", "delivered"},
	string(notary.TrackingProblem):        {"疑难件", "problem reported"},
	string(notary.TrackingRefused):        {"已拒签", "refused"},
	string(notary.TrackingReturning):      {"退回中", "returning"},
	string(notary.TrackingReturned):       {"已退签", "returned"},
}

// triggers are the names of actions in the audit trail, by language.
var triggers = map[string]text{
	string(notary.FilingSubmit):            {"提交备案", "submitted"},
	string(notary.FilingApprove):           {"备案通过", "approved"},
	string(notary.FilingReject):            {"备案驳回", "rejected"},
	string(notary.FilingResubmit):          {"重新提交", "resubmitted"},
	string(notary.FilingAmend):             {"变更备案", "amended"},
	string(notary.AppApply):                {"提交申请", "applied"},
	string(notary.AppApplyByTransfer):      {"提交申请（对公转账）", "applied (bank transfer)"},
	string(notary.AppPaymentSucceeded):     {"支付成功", "payment succeeded"},
	string(notary.AppPaymentFailed):        {"支付失败", "payment failed"},
	string(notary.AppPaymentClosed):        {"支付机构关闭订单", "order closed by the provider"},
	string(notary.AppCloseOrder):           {"关闭支付订单", "payment order closed"},
	string(notary.AppExpire):               {"支付超时", "payment expired"},
	string(notary.AppCancel):               {"用户取消", "cancelled"},
	string(notary.AppApprovePreliminary):   {"初审通过", "preliminary review passed"},
	string(notary.AppRejectPreliminary):    {"初审不通过", "preliminary review rejected"},
	string(notary.AppSubmitMaterials):      {"寄送材料", "materials submitted"},
	string(notary.AppApproveFinal):         {"审核通过", "final review passed"},
	string(notary.AppRejectFinal):          {"材料不通过", "materials rejected"},
	string(notary.AppShip):                 {"寄出公证书", "certificate shipped"},
	string(notary.AppConfirmReceipt):       {"确认收货", "receipt confirmed"},
	string(notary.AppAutoConfirm):          {"自动确认收货", "receipt auto-confirmed"},
	string(notary.AppRefund):               {"退款", "refunded"},
	string(notary.AppRequestInvoice):       {"申请发票", "invoice requested"},
	string(notary.AppIssueInvoice):         {"开具发票", "invoice issued"},
	string(notary.AppRejectInvoice):        {"发票申请驳回", "invoice request rejected"},
	string(notary.AppReverseInvoice):       {"红冲发票", "invoice reversed"},
	string(notary.AdminBootstrap):          {"初始化主管账户", "bootstrap"},
	string(notary.AdminCreate):             {"创建账户", "created"},
	string(notary.AdminDisable):            {"停用", "disabled"},
	string(notary.AdminEnable):             {"启用", "enabled"},
	string(notary.AdminChangePassword):     {"修改密码", "password changed"},
	string(notary.AdminResetPassword):      {"重置密码", "password reset"},
	string(notary.AdminLogin):              {"登录", "login"},
	string(notary.AdminLoginFailed):        {"登录失败", "login failed"},
	string(notary.AdminLocked):             {"锁定", "locked"},
	string(notary.AdminLogout):             {"退出登录", "logout"},
	string(notary.AdminEndSessions):        {"结束全部会话", "sessions ended"},
	notary.TriggerReveal:                   {"查看完整个人信息", "personal data viewed"},
	notary.TriggerErase:                    {"删除个人信息", "personal data erased"},
	notary.TriggerExport:                   {"导出个人信息", "personal data exported"},
	notary.TriggerReseal:                   {"重新加密个人信息", "personal data resealed"},
	string(notary.AppTransferReceived):     {"对公转账到账", "bank transfer received"},
	string(notary.AppTrackMaterials):       {"材料物流更新", "materials tracking updated"},
	string(notary.AppMaterialsDelivered):   {"材料已签收", "materials delivered"},
	string(notary.AppTrackCertificate):     {"公证书物流更新", "certificate tracking updated"},
	string(notary.AppCertificateDelivered): {"公证书已签收", "certificate delivered"},
}

// fields are the names of form and record fields in error messages.
var fields = map[string]text{
	"invoice.number":     {"发票号码", "invoice number"},
	"invoice.issued_on":  {"开票日期", "issue date"},
	"invoice.pdf_ref":    {"PDF 存放位置", "PDF reference"},
	"invoice.pdf_sha256": {"PDF 的 SHA-256", "SHA-256 of the PDF"},
	"reason":             {"驳回理由", "reason"},
	"certificate_number": {"公证书编号", "certificate number"},
	"carrier":            {"快递公司", "carrier"},
	"tracking_number":    {"运单号", "tracking number"},
	"version":            {"版本号", "version"},
	"email":              {"邮箱", "email"},
	"name":               {"姓名", "name"},
	"password":           {"密码", "password"},
	"role":               {"角色", "role"},
	"state":              {"队列", "queue"},
	"after":              {"分页位置", "page position"},
	"id":                 {"编号", "ID"},
	"q":                  {"搜索内容", "search text"},
	"from":               {"起始日期", "from"},
	"to":                 {"截止日期", "to"},
	"field":              {"要显示的信息", "fields to show"},
	"serial":             {"银行流水号", "bank serial number"},
	"reference":          {"付款编号", "reference"},
	"payer_name":         {"付款户名", "payer"},
	"amount":             {"金额", "amount"},
	"currency":           {"币种", "currency"},
	"date":               {"日期", "date"},
	"application_id":     {"申请编号", "application ID"},
}

// reasons translate the SDK's validation reasons (CheckText and friends)
// into Chinese; a reason not listed is shown as the SDK wrote it.
var reasons = []struct {
	re *regexp.Regexp
	zh string // with $1… from re
}{
	{regexp.MustCompile(`^required$`), "必填"},
	{regexp.MustCompile(`^too long \(max (\d+) characters\)$`), "过长（最多 ${1} 个字符）"},
	{regexp.MustCompile(`^too short \(min (\d+) characters\)$`), "过短（至少 ${1} 个字符）"},
	{regexp.MustCompile(`^must not contain control characters$`), "不得包含控制字符"},
	{regexp.MustCompile(`^invalid utf-8$`), "包含无效字符"},
	{regexp.MustCompile(`^must be (\d+) to (\d+) letters or digits$`), "须为 ${1} 至 ${2} 位字母或数字"},
	{regexp.MustCompile(`^the version of the record as reviewed is required.*$`), "缺少所审核记录的版本号，请刷新页面"},
	{regexp.MustCompile(`^missing or not a number$`), "缺失或不是数字"},
	{regexp.MustCompile(`^malformed cursor$`), "格式不正确"},
	{regexp.MustCompile(`^choose at least one field$`), "请至少选择一项"},
	{regexp.MustCompile(`^(".*") is not a personal field$`), "${1} 不是个人信息字段"},
	{regexp.MustCompile(`^unknown queue (.*)$`), "没有这个队列 ${1}"},
	{regexp.MustCompile(`^a bank serial number is 8 to 64 letters and digits \(hyphens only between them\), got (.*)$`),
		"银行流水号须为 8 至 64 位字母或数字（连字符只能在中间），输入的是 ${1}"},
	{regexp.MustCompile(`^transferred (\S+ \S+), quoted (\S+ \S+): short by (\S+ \S+)$`), "转账 ${1}，应付 ${2}：少了 ${3}"},
	{regexp.MustCompile(`^transferred (\S+ \S+), quoted (\S+ \S+): over by (\S+ \S+)$`), "转账 ${1}，应付 ${2}：多了 ${3}"},
	{regexp.MustCompile(`^transferred (\S+), quoted (\S+)$`), "转账币种 ${1}，应付币种 ${2}"},
	{regexp.MustCompile(`^(\S+) is not a positive amount in fen$`), "${1} 不是以分为单位的正数金额"},
	{regexp.MustCompile(`^the (refund )?transfer's value date is required$`), "须填写日期"},
	{regexp.MustCompile(`^(\S+) is in the future$`), "${1} 晚于今天"},
	{regexp.MustCompile(`^must be a date \(YYYY-MM-DD\)$`), "须为日期（年-月-日）"},
	{regexp.MustCompile(`^must be 8 or 20 digits, got .*$`), "须为 8 位或 20 位数字"},
	{regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}) is before the payment on (\d{4}-\d{2}-\d{2})$`), "${1} 早于付款日 ${2}"},
	{regexp.MustCompile(`^not an application ID$`), "不是申请编号"},
	{regexp.MustCompile(`^application (\S+) pays by wallet, not by bank transfer$`), "申请 ${1} 使用在线支付，不是对公转账"},
}

// t returns the message key in l.
func t(l Lang, key string) string {
	if m, ok := messages[key]; ok {
		return m.in(l)
	}
	return key
}

// tf formats the message key in l with args.
func tf(l Lang, key string, args ...any) string { return fmt.Sprintf(t(l, key), args...) }

// label returns the name of a state, trigger or field in l (the
// identifier itself when it has none).
func label(table map[string]text, l Lang, id string) string {
	if m, ok := table[id]; ok {
		return m.in(l)
	}
	return id
}

// reason translates an SDK validation reason into l.
func reason(l Lang, r string) string {
	if l == English {
		return r
	}
	for _, x := range reasons {
		if x.re.MatchString(r) {
			return x.re.ReplaceAllString(r, x.zh)
		}
	}
	return r
}

// fieldMessage is what the console shows next to a field the SDK refused.
func fieldMessage(l Lang, fe *notary.FieldError) string {
	return reason(l, fe.Reason)
}

// errorMessage is the page's message for a client error in l; server
// errors are never described.
func errorMessage(l Lang, err error) string {
	var fe *notary.FieldError
	var pe *paramError
	switch {
	case errors.Is(err, errCSRF):
		return t(l, "err.csrf")
	case errors.As(err, &pe):
		return tf(l, "err.param", pe.field.Field, label(fields, l, pe.field.Field), reason(l, pe.field.Reason))
	case errors.As(err, &fe):
		return t(l, "err.invalid") + label(fields, l, fe.Field) + ": " + reason(l, fe.Reason)
	case errors.Is(err, notary.ErrConflict):
		return t(l, "err.conflict")
	case errors.Is(err, notary.ErrInvalidTransition):
		return t(l, "err.transition")
	case errors.Is(err, notary.ErrNotFound):
		return t(l, "err.notfound")
	case errors.Is(err, notary.ErrForbidden):
		return t(l, "err.forbidden")
	case errors.Is(err, notary.ErrInvalidInput):
		if l == English {
			return strings.TrimPrefix(err.Error(), "notary: ")
		}
		return t(l, "err.invalid") + strings.TrimPrefix(err.Error(), "notary: ")
	}
	return t(l, "err.internal")
}

// langCookie keeps the reviewer's language choice.
const langCookie = "notarykit_console_lang"

// requestLang is the language of a request: ?lang= (which the console
// then keeps in a cookie), else the cookie, else Chinese.
func requestLang(r *http.Request) (Lang, bool) {
	if q := Lang(r.URL.Query().Get("lang")); q == Chinese || q == English {
		return q, true
	}
	if c, err := r.Cookie(langCookie); err == nil && (Lang(c.Value) == English || Lang(c.Value) == Chinese) {
		return Lang(c.Value), false
	}
	return Chinese, false
}
