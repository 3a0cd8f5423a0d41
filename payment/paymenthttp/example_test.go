package paymenthttp_test

import (
	"log/slog"
	"net/http"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment/paymenthttp"
)

// A host mounts the endpoint at the notify URL it gave the provider.
func ExampleHandler() {
	var svc *notary.Service // from notary.New
	mux := http.NewServeMux()
	mux.Handle("/payments/notify", paymenthttp.Handler(svc.Applications,
		paymenthttp.WithLogger(slog.Default()),
		paymenthttp.WithMaxBodyBytes(32<<10)))
}
