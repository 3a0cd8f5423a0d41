package notary_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// TestKeysAreRequired: personal data is never sealed or blind-indexed
// under the public development keys by omission.
func TestKeysAreRequired(t *testing.T) {
	t.Parallel()
	base := newEnv(t).cfg
	base.InsecureDevKeys = false
	blinder := notary.HMACBlinder(make([]byte, 32))
	for _, tc := range []struct {
		name    string
		sealer  notary.Sealer
		blinder notary.Blinder
		dev     bool
		field   string // "" when New succeeds
	}{
		{name: "neither", field: "sealer"},
		{name: "no blinder", sealer: notary.InsecureDevSealer(), field: "blinder"},
		{name: "no sealer", blinder: blinder, field: "sealer"},
		{name: "both", sealer: notary.InsecureDevSealer(), blinder: blinder},
		{name: "development keys", dev: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			cfg.Sealer, cfg.Blinder, cfg.InsecureDevKeys = tc.sealer, tc.blinder, tc.dev
			svc, err := notary.New(cfg)
			if tc.field == "" {
				require.NoError(t, err)
				assert.NotNil(t, svc)
				return
			}
			require.ErrorIs(t, err, notary.ErrInvalidInput)
			var fe *notary.FieldError
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, tc.field, fe.Field)
		})
	}
}
