package console

import (
	"regexp"
	"strings"

	"github.com/notarykit/notarykit/adapters/banktransfer"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notify"
)

// Names of the SDK's identifiers that pages show, by language: no page
// shows a raw identifier where a reviewer reads a word.

// personalFields are the names of a filing's personal fields.
var personalFields = map[string]text{
	string(notary.FieldLegalRepName):     {"法定代表人姓名", "legal representative's name"},
	string(notary.FieldLegalRepIDNumber): {"法定代表人证件号码", "legal representative's ID number"},
	string(notary.FieldContactPhone):     {"联系电话", "contact phone"},
	string(notary.FieldAgentName):        {"代理人姓名", "agent's name"},
	string(notary.FieldAgentIDNumber):    {"代理人证件号码", "agent's ID number"},
}

// idTypes are the names of identity documents.
var idTypes = map[string]text{
	string(notary.IDResident): {"居民身份证", "resident ID card"},
	string(notary.IDPassport): {"护照", "passport"},
	string(notary.IDHKMO):     {"港澳居民来往内地通行证", "HK/Macao travel permit"},
	string(notary.IDTaiwan):   {"台湾居民来往大陆通行证", "Taiwan travel permit"},
}

// paymentStatuses are the names of a payment order's statuses.
var paymentStatuses = map[string]text{
	string(notary.PaymentPending):   {"待支付", "pending"},
	string(notary.PaymentSucceeded): {"已支付", "paid"},
	string(notary.PaymentFailed):    {"支付失败", "failed"},
	string(notary.PaymentCancelled): {"已关闭", "closed"},
	string(notary.PaymentExpired):   {"已超时", "expired"},
}

// providers are the names of the payment providers the SDK ships; a
// host's own provider is shown by the name it gives.
var providers = map[string]text{
	banktransfer.Provider: {"对公转账", "bank transfer"},
}

// noticeKinds are the names of the notices the relay delivers.
var noticeKinds = map[string]text{
	string(notary.NoticeFilingReview):         {"备案待审核（告知公证处）", "filing waits for review (to the office)"},
	string(notary.NoticePreliminaryReview):    {"申请待初审（告知公证处）", "application waits for preliminary review (to the office)"},
	string(notary.NoticeFinalReview):          {"材料待终审（告知公证处）", "materials wait for final review (to the office)"},
	string(notary.NoticeReceiptConfirmed):     {"用户已确认收货（告知公证处）", "receipt confirmed (to the office)"},
	string(notary.NoticeMaterialsArrived):     {"纸质材料已签收（告知公证处）", "paper materials delivered (to the office)"},
	string(notary.NoticeFilingApproved):       {"备案通过通知", "filing approved"},
	string(notary.NoticeFilingRejected):       {"备案驳回通知", "filing rejected"},
	string(notary.NoticePaymentReceived):      {"支付成功通知", "payment received"},
	string(notary.NoticePaymentFailed):        {"支付失败通知", "payment failed"},
	string(notary.NoticeCancelled):            {"申请取消通知", "application cancelled"},
	string(notary.NoticePreliminaryApproved):  {"初审通过告知书", "preliminary review passed"},
	string(notary.NoticePreliminaryRejected):  {"初审未过通知书", "preliminary review rejected"},
	string(notary.NoticeMaterialsReceived):    {"材料登记通知", "materials registered"},
	string(notary.NoticeFinalRejected):        {"审核未过告知书", "final review rejected"},
	string(notary.NoticeInProduction):         {"制证中通知", "certificate in production"},
	string(notary.NoticeShipped):              {"公证书寄出通知", "certificate shipped"},
	string(notary.NoticeCompleted):            {"申请完成通知", "application completed"},
	string(notary.NoticeRefunded):             {"退款通知", "refund paid"},
	string(notary.NoticeTransferInstructions): {"对公转账付款通知", "bank transfer instructions"},
	string(notary.NoticeCertificateDelivered): {"公证书签收通知", "certificate delivered"},
	string(notary.NoticeInvoiceRequested):     {"发票待开具（告知财务）", "invoice requested (to finance)"},
	string(notary.NoticeInvoiceIssued):        {"发票开具通知", "invoice issued"},
	string(notary.NoticeInvoiceRejected):      {"发票申请驳回通知", "invoice request rejected"},
	string(notary.NoticeInvoiceReversed):      {"发票红冲通知", "invoice reversed"},
}

// channels are the names of the notices' channels.
var channels = map[string]text{
	string(notary.ChannelEmail):  {"邮件", "email"},
	string(notary.ChannelInSite): {"站内信", "in-site message"},
	string(notary.ChannelHost):   {"宿主系统事件", "host event"},
}

// sweepDuties are the names of the sweep's background duties.
var sweepDuties = map[string]text{
	notary.SweepExpire:      {"超时取消", "cancel unpaid"},
	notary.SweepAutoConfirm: {"自动确认收货", "confirm receipt"},
	notary.SweepCloseOrder:  {"关闭支付订单", "close the payment order"},
	notary.SweepRefund:      {"退款", "refund"},
}

// systemActors are the names of the SDK's own components that act on
// records (the Name of an audit event's system actor).
var systemActors = map[string]text{
	"bootstrap": {"初始化", "bootstrap"},
	"login":     {"登录检查", "login check"},
	"payment":   {"支付通知", "payment notice"},
	"courier":   {"快递跟踪", "courier tracking"},
	"sweep":     {"定时任务", "scheduled sweep"},
	"reseal":    {"密钥轮换", "key rotation"},
	"retention": {"保留期限", "retention"},
}

// eventReasons are the reasons the SDK writes on admin and personal-data
// events, by language; a reason not listed goes through notify.ReasonText
// (system reason codes) and is otherwise shown as typed.
var eventReasons = map[string]text{
	"account disabled": {"账户已停用", "account disabled"},
	"account locked":   {"账户已锁定", "account locked"},
	"wrong password":   {"密码错误", "wrong password"},
	"wrong current password on password change":       {"修改密码时当前密码错误", "wrong current password on password change"},
	"password re-hashed with current parameters":      {"密码已按当前参数重新散列", "password re-hashed with current parameters"},
	"personal data erased after the retention period": {"保留期满，个人信息已删除", "personal data erased after the retention period"},
	"personal data sealed under the current key":      {"个人信息已用当前密钥重新加密", "personal data sealed under the current key"},
}

// issuedReason and reversalReason match the reasons the SDK writes on an
// invoice's issue and reversal events (notary.Invoices): numbers are
// digits, dates YYYY-MM-DD.
var (
	issuedReason   = regexp.MustCompile(`^invoice ([0-9]+) of ([0-9]{4}-[0-9]{2}-[0-9]{2})$`)
	reversalReason = regexp.MustCompile(`^reversing invoice ([0-9]+) of ([0-9]{4}-[0-9]{2}-[0-9]{2}) for invoice ([0-9]+)$`)
)

// eventReason shows the reason of an audit event in l: a reveal names the
// fields shown, an account event its role, an SDK reason is translated,
// an admin's typed reason is shown as typed.
func eventReason(l Lang, r string) string {
	if m, ok := eventReasons[r]; ok {
		return m.in(l)
	}
	if rest, ok := strings.CutPrefix(r, "viewed in full: "); ok {
		names := strings.Split(rest, ", ")
		for i, n := range names {
			names[i] = label(personalFields, l, n)
		}
		return t(l, "why.reveal") + strings.Join(names, t(l, "list.sep"))
	}
	if role, ok := strings.CutPrefix(r, "role "); ok && notary.Role(role).Valid() {
		return t(l, "staff.role") + t(l, "colon") + t(l, "role."+role)
	}
	if m := issuedReason.FindStringSubmatch(r); m != nil {
		return tf(l, "why.invoice", m[1], m[2])
	}
	if m := reversalReason.FindStringSubmatch(r); m != nil {
		return tf(l, "why.reversal", m[1], m[2], m[3])
	}
	if head, tail, ok := strings.Cut(r, "; "); ok && strings.Contains(tail, "consecutive failures") {
		return eventReason(l, head) + "; " + tail
	}
	return notify.ReasonText(l.HTMLLang(), r)
}
