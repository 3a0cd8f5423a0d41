// Package kuaidi100 is a notary.Courier backed by Kuaidi100 (快递100), the
// tracking aggregator most Chinese platforms use: it asks Kuaidi100's
// real-time query API for a consignment's status and verifies the status
// pushes of its subscription service.
//
// # Documentation followed
//
// The enterprise API (企业版) as documented in Kuaidi100's document centre
// (api.kuaidi100.com/document): "实时快递单号查询技术文档" (document
// 5f0ffb5ebc8da837cbd8aefc, the revision that added the optional signType
// field; this package signs with the default, MD5), and "快递信息推送服务"
// with its 订阅接口 (subscribe) and 推送接口 (push) pages as mirrored on
// Kuaidi100's apifox site (project 514987). Field names and codes were
// checked against Kuaidi100's official SDK, kuaidi100-api/java-demo
// (QueryTrackResp, SubscribeReq, SubscribePushParamResp). In short:
//
//   - Query: POST https://poll.kuaidi100.com/poll/query.do, form fields
//     customer, param (JSON: com, num, phone, order) and sign =
//     upper(hex(MD5(param + key + customer))). The answer carries state,
//     nu, com and data (newest first: time, ftime, context, location), or
//     result=false with a returnCode: 400 bad request data, 500 no result
//     for that number, 501 server error, 502 server busy, 503 signature
//     check failed, 601 key expired.
//   - Subscribe: POST https://poll.kuaidi100.com/poll, form fields
//     schema=json and param (JSON: company, number, key, parameters with
//     callbackurl, salt, phone). 501 means "already subscribed".
//   - Push: Kuaidi100 POSTs form fields param (JSON: status polling,
//     shutdown, abort or updateall, message, lastResult as in a query
//     answer) and sign = upper(hex(MD5(param + salt))) to the callback
//     URL, and expects {"result":true,"returnCode":"200","message":"成功"};
//     an answer with result false is pushed again later.
//
// # State codes
//
// Kuaidi100's state is mapped onto notary.TrackingState by one table
// (States): 0 在途 in transit, 1 揽收 picked up, 2 疑难 problem, 3 签收
// delivered, 4 退签 returned, 5 派件 out for delivery, 6 退回 returning,
// 7 转投 in transit, 8 清关 and 10-12 (customs) in transit, 13 清关异常
// problem, 14 拒签 refused. An unknown code is TrackingUnknown.
//
// # Errors
//
// Client.Track returns an error wrapping notary.ErrNotFound for a number
// Kuaidi100 has no result for, notary.ErrInvalidInput for an unknown
// carrier or invalid number (checked locally with the courier registry
// before any call), and otherwise an *APIError or a transport error; these
// leave nothing changed and a tracker simply asks again on its next pass
// (APIError.Temporary tells a busy or failing service from a
// misconfiguration). A push with a missing or wrong signature is refused
// with an error wrapping notary.ErrForbidden; signatures are compared in
// constant time.
//
// Carriers that Kuaidi100 only answers for with a phone number (SF Express,
// ZTO) need Config.Phone. For a notary office the office's own phone serves
// both directions: it is the recipient's phone for paper materials and the
// sender's for certificates.
package kuaidi100
