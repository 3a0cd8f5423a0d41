package courier_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/notarykit/notarykit/adapters/courier"
	"github.com/notarykit/notarykit/notary"
)

func ExampleNormalize() {
	n, err := courier.Normalize("sf", " sf 1234-5678-9012 ")
	fmt.Println(n, err)

	_, err = courier.Normalize("EMS", "EE123456784CN") // wrong S10 check digit
	fmt.Println(errors.Is(err, notary.ErrInvalidInput), err)
	// Output:
	// SF123456789012 <nil>
	// true notary: invalid input: tracking_number: S10 check digit mismatch
}

func ExampleS10CheckDigit() {
	d, err := courier.S10CheckDigit("47312482") // from RR473124829GB
	fmt.Println(d, err)
	// Output: 9 <nil>
}

func ExampleManual() {
	m := courier.NewManual()
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	_ = m.Record("EMS", "ee 123456785 cn", notary.TrackingEvent{At: at, Location: "北京", Description: "已收寄"})
	_ = m.MarkDelivered("EMS", "EE123456785CN", at.Add(26*time.Hour))

	st, err := m.Track(context.Background(), "ems", "EE-123456785-CN")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.Carrier, st.TrackingNumber, st.Delivered, st.DeliveredAt.Format(time.RFC3339))
	for _, e := range st.Events {
		fmt.Println(e.At.Format(time.RFC3339), e.Location, e.Description)
	}

	_, err = m.Track(context.Background(), "SF", "SF123456789012")
	fmt.Println(errors.Is(err, notary.ErrNotFound))
	// Output:
	// EMS EE123456785CN true 2025-03-02T11:00:00Z
	// 2025-03-01T09:00:00Z 北京 已收寄
	// true
}

func ExampleCarriers() {
	for _, c := range courier.Carriers() {
		fmt.Printf("%-5s %s / %s\n", c.Code, c.NameEn, c.NameZh)
	}
	// Output:
	// SF    SF Express / 顺丰速运
	// EMS   EMS / China Post / 中国邮政 EMS
	// JD    JD Logistics / 京东物流
	// YTO   YTO Express / 圆通速递
	// ZTO   ZTO Express / 中通快递
	// STO   STO Express / 申通快递
	// YUNDA Yunda Express / 韵达快递
}

// A number given without a carrier: a prefixed number names its carrier, a
// plain digit run usually fits several, and the host asks the user.
func ExampleDetect() {
	c, n, err := courier.Detect("ｓｆ 1234 5678 9012")
	fmt.Println(c.Code, n, err)

	_, _, err = courier.Detect("731234567890")
	var amb *courier.AmbiguousError
	if errors.As(err, &amb) {
		for _, c := range amb.Candidates {
			fmt.Println("did you use", c.Code, c.NameZh, "?")
		}
	}
	// Output:
	// SF SF123456789012 <nil>
	// did you use SF 顺丰速运 ?
	// did you use ZTO 中通快递 ?
	// did you use STO 申通快递 ?
}
