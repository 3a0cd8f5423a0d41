// Package sentinel holds the identity of error sentinels that packages on
// both sides of an import edge must share. notary re-exports each one under
// its public name (notary.ErrForbidden is [ErrForbidden]); leaf packages
// that must not import notary, since notary may import them (such as
// payment/webhook), wrap it, so their errors match
// errors.Is(err, notary.ErrForbidden).
package sentinel

import "errors"

// ErrForbidden is notary.ErrForbidden: the caller may not see or do this,
// including a message whose signature does not prove who sent it.
var ErrForbidden = errors.New("notary: forbidden")
