package notify_test

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notify"
)

func ExampleRenderer_Render() {
	r, err := notify.NewRenderer()
	if err != nil {
		panic(err)
	}
	n := notary.Notice{
		ID:       uuid.MustParse("0191c7a0-0000-7000-8000-000000000001"),
		OfficeID: uuid.MustParse("0191c7a0-0000-7000-8000-00000000f001"),
		Kind:     notary.NoticeShipped,
		Channel:  notary.ChannelEmail,
		To:       notary.Recipient{UserID: "user-42", Email: "zhang.san@example.com", Name: "张三", Locale: "zh-CN"},
		Data: notary.NoticeData{
			OfficeName:        "上海市示例公证处",
			RecordID:          uuid.MustParse("0191c7a0-0000-7000-8000-0000000a0001"),
			Carrier:           "EMS",
			TrackingNumber:    "EA123456785CN",
			CertificateNumber: "(2025)沪示证经字第1024号",
		},
		CreatedAt: time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC),
	}
	m, err := r.Render(n)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.ID)
	fmt.Println(m.Subject)

	n.To.Locale = "en-US"
	m, err = r.Render(n)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Subject)
	// Output:
	// 0191c7a0-0000-7000-8000-000000000001@notarykit
	// 公证书已寄出：EMS EA123456785CN
	// Certificate shipped: EMS EA123456785CN
}
