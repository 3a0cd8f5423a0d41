package recorddoc_test

import (
	"testing"

	"github.com/notarykit/notarykit/adapters/internal/recorddoc"
)

// BenchmarkApplication measures encoding and decoding the stored document
// of an application, which every transition on a SQL store does once each.
func BenchmarkApplication(b *testing.B) {
	app := fullApplication()
	doc := recorddoc.EncodeApplication(app)
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			recorddoc.EncodeApplication(app)
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := recorddoc.DecodeApplication(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
