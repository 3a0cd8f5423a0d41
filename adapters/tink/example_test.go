package tink_test

import (
	"context"
	"fmt"

	"github.com/notarykit/notarykit/adapters/tink"
)

// A Sealer over a keyset made in memory; a host loads its keyset from its
// KMS instead (EncryptedFile, or a KeySource of its own).
func Example() {
	ctx := context.Background()
	h, err := tink.NewKeyset()
	if err != nil {
		panic(err)
	}
	sealer, err := tink.New(ctx, tink.Static(h))
	if err != nil {
		panic(err)
	}
	ct, _ := sealer.Seal(ctx, []byte("13800138000"), []byte("filing 1, contact_phone"))
	pt, _ := sealer.Open(ctx, ct, []byte("filing 1, contact_phone"))
	_, err = sealer.Open(ctx, ct, []byte("filing 2, contact_phone"))
	fmt.Println(string(pt), err != nil)
	// Output: 13800138000 true
}
