// Package courier validates and normalises the tracking numbers of the common
// Chinese express carriers and provides a manual implementation of
// notary.Courier for offices that record consignment scans by hand.
//
// # Registry
//
// Carriers lists the supported carriers and Lookup finds one by its code
// (case-insensitive):
//
//	SF     顺丰速运 SF Express        "SF" + 12-13 digits, or 12-15 digits
//	EMS    中国邮政 EMS / China Post  UPU S10 ("EE123456785CN", check digit
//	                                 verified), or 13 digits starting 1 or 9
//	JD     京东物流 JD Logistics      "JD" + up to 2 letters + 11-15 digits
//	YTO    圆通速递 YTO Express       "YT" + 13-15 digits
//	ZTO    中通快递 ZTO Express       12-15 digits starting 3, 5 or 7
//	STO    申通快递 STO Express       12-15 digits
//	YUNDA  韵达快递 Yunda Express     13-15 digits
//
// Normalize puts a number in canonical form before checking it: surrounding
// and inner white space (including the ideographic space U+3000) and dashes
// are removed, full-width letters and digits (as typed with a Chinese input
// method) become ASCII, and letters are upper-cased. A canonical number
// consists of ASCII upper-case letters and digits only, and normalising it
// again returns it unchanged.
//
// Full-width folding uses golang.org/x/text/width.
//
// # Carrier detection
//
// When the user gives a number without a carrier, Suggest lists the carriers
// whose format (and check digit, for UPU S10 numbers) the number fits, and
// Detect returns the one carrier that fits or an *AmbiguousError naming the
// candidates, so the host can ask the user; it matches ErrAmbiguousCarrier
// and notary.ErrInvalidInput. Prefixed numbers ("SF…", "JD…", "YT…") and S10
// numbers are unique; plain digit runs usually fit several carriers.
//
// Every rejected carrier or number yields a *notary.FieldError (Field
// "carrier" or "tracking_number"), which matches notary.ErrInvalidInput with
// errors.Is.
//
// # Manual tracking
//
// Manual implements notary.Courier without calling any carrier: an operator
// records scans with Manual.Record and delivery with Manual.MarkDelivered,
// and Manual.Track reports what was recorded. It is safe for concurrent use.
package courier
