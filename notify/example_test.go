package notify_test

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	"github.com/notarykit/notarykit/notify"
	"github.com/notarykit/notarykit/store"
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

// A relay on the service's clock delivers the notices the service commits:
// here, the office's review request for a submitted filing, by email.
func ExampleNewRelay() {
	ctx := context.Background()
	st := store.NewMemory()
	clock := notarytest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	svc, err := notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{
			ID: uuid.New(), Name: "上海市示例公证处", AdminEmails: []string{"desk@notary.example"},
			MailingAddress: "上海市示例路 1 号",
		},
		Store: st, Payments: notarytest.NewPayments(), Clock: clock,
	})
	if err != nil {
		panic(err)
	}
	renderer, err := notify.NewRenderer()
	if err != nil {
		panic(err)
	}
	relay := notify.NewRelay(st, svc.Clock(), renderer, map[notary.Channel]notary.Notifier{
		notary.ChannelEmail:  printer{},
		notary.ChannelInSite: notify.NewInboxNotifier(st),
	})

	if _, err := svc.Filings.Submit(ctx, notary.User{ID: "user-42", Email: "zhang.san@example.com", Name: "张三"}, notarytest.FilingContent()); err != nil {
		panic(err)
	}
	n, err := relay.Drain(ctx)
	fmt.Println(n, err)
	// Output:
	// to desk@notary.example: 【待审核】企业备案：Shenzhen Example Technology Co., Ltd.
	// 1 <nil>
}

// printer is an email notifier that prints what it would send.
type printer struct{}

func (printer) Notify(_ context.Context, m notary.Message) error {
	fmt.Printf("to %s: %s\n", m.To.Email, m.Subject)
	return nil
}
