package notify

import "github.com/notarykit/notarykit/notary"

// systemReasons renders notary's system reason codes (notary.SystemReasons)
// per locale. An admin's typed reason is not a code and is shown as typed.
var systemReasons = map[string]map[string]string{
	"en": {
		notary.ReasonCancelledByUser:       "cancelled by you",
		notary.ReasonPaymentDeadlinePassed: "the payment deadline passed",
		notary.ReasonPaymentFailed:         "the payment attempt failed",
		notary.ReasonPaymentClosed:         "the payment provider closed the order",
		notary.ReasonPaymentAfterCancel:    "the payment arrived after the application was cancelled",
	},
	"zh-CN": {
		notary.ReasonCancelledByUser:       "您已撤销申请",
		notary.ReasonPaymentDeadlinePassed: "未在付款期限内完成付款",
		notary.ReasonPaymentFailed:         "本次付款未成功",
		notary.ReasonPaymentClosed:         "支付机构已关闭该订单",
		notary.ReasonPaymentAfterCancel:    "申请取消后才收到付款",
	},
}

// ReasonText renders a record's reason for locale ("zh-CN", "en"): a
// system reason code (notary.SystemReasons) in the locale's words (English
// when the locale has none), anything else — an admin's typed reason — as
// is. Notices use it; so can a host's or the console's pages.
func ReasonText(locale, reason string) string {
	if t, ok := systemReasons[locale][reason]; ok {
		return t
	}
	if t, ok := systemReasons["en"][reason]; ok {
		return t
	}
	return reason
}
