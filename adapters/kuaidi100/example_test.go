package kuaidi100_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"github.com/notarykit/notarykit/adapters/kuaidi100"
	"github.com/notarykit/notarykit/notary"
)

// A query's signature: MD5 of param, key and customer, upper-case hex.
func ExampleSign() {
	fmt.Println(kuaidi100.Sign(`{"com":"shunfeng","num":"SF123456789012"}`, "KEY", "CUSTOMER"))
	// Output: D6742B7D7593BE75FEA78416820D7201
}

// Wiring: the Client is the service's Courier, and its push handler serves
// the callback URL given to Subscribe.
func ExampleNew() {
	c, err := kuaidi100.New(kuaidi100.Config{
		Customer: "YOUR-CUSTOMER-CODE", Key: "your-key", Salt: "a-random-salt",
		Phone: "02088886666", // the office's phone: SF Express and ZTO need one
	})
	if err != nil {
		log.Fatal(err)
	}
	var _ notary.Courier = c // notary.Config{InsecureDevKeys: true, Courier: c, ...}

	http.Handle("POST /kuaidi100/push", c.PushHandler(func(ctx context.Context, p kuaidi100.Push) error {
		log.Println(p.Tracking.Carrier, p.Tracking.TrackingNumber, p.Tracking.State)
		return nil
	}))
}
