package recorddoc_test

import (
	"testing"

	"github.com/notarykit/notarykit/adapters/internal/recorddoc"
)

// BenchmarkApplication measures encoding and decoding the stored document
// of an application, which every transition on a SQL store does once each:
// with every part set, and without an invoice, to compare in one run what
// an invoice costs.
func BenchmarkApplication(b *testing.B) {
	full := fullApplication()
	noInvoice := fullApplication()
	noInvoice.Invoice = nil
	for _, tc := range []struct {
		name string
		app  func() []byte
	}{
		{"full", func() []byte { return recorddoc.EncodeApplication(full) }},
		{"no-invoice", func() []byte { return recorddoc.EncodeApplication(noInvoice) }},
	} {
		doc := tc.app()
		b.Run(tc.name+"/encode", func(b *testing.B) {
			b.ReportAllocs()
			b.ReportMetric(float64(len(doc)), "bytes/doc")
			for b.Loop() {
				tc.app()
			}
		})
		b.Run(tc.name+"/decode", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := recorddoc.DecodeApplication(doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
