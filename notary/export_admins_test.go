package notary

import "io"

// Test hooks of the admin login unit.

// KDF is the signature of argon2.IDKey.
type KDF = kdfFunc

// SetKDF replaces the key derivation function (argon2.IDKey), so tests can
// memoize it; it must stay a pure function.
func (m *Admins) SetKDF(f KDF) { m.kdf = f }

// SetRandom replaces the source of salts and session tokens.
func (m *Admins) SetRandom(r io.Reader) { m.rand = r }

// KDFCalls counts the password hash derivations the unit has run.
func (m *Admins) KDFCalls() int64 { return m.kdfCalls.Load() }
