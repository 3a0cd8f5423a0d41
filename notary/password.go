package notary

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password policy bounds, in characters (runes).
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// Minimum argon2id cost accepted in AdminPolicy (the OWASP baseline:
// 19 MiB of memory, two passes, one lane). They are also the defaults.
const (
	MinArgon2Memory  uint32 = 19456 // KiB
	MinArgon2Time    uint32 = 2
	MinArgon2Threads uint8  = 1
)

// Upper bounds on argon2id cost, for configuration and for stored hashes:
// a hash claiming more is treated as corrupt rather than computed.
const (
	maxArgon2Memory uint32 = 1 << 22 // KiB (4 GiB)
	maxArgon2Time   uint32 = 64
)

// Sizes of the salt and derived key of new password hashes.
const (
	passwordSaltLen = 16
	passwordKeyLen  = 32
)

// Argon2Params are the argon2id cost parameters of new password hashes.
// Zero fields take the minimum, which is also the default.
type Argon2Params struct {
	Memory  uint32 // KiB; at least MinArgon2Memory
	Time    uint32 // passes over memory; at least MinArgon2Time
	Threads uint8  // lanes; at least MinArgon2Threads
}

// normalize applies defaults and checks bounds.
func (p Argon2Params) normalize() (Argon2Params, error) {
	if p.Memory == 0 {
		p.Memory = MinArgon2Memory
	}
	if p.Time == 0 {
		p.Time = MinArgon2Time
	}
	if p.Threads == 0 {
		p.Threads = MinArgon2Threads
	}
	switch {
	case p.Memory < MinArgon2Memory || p.Memory > maxArgon2Memory:
		return p, invalid("admin.argon2.memory", "must be between %d and %d KiB", MinArgon2Memory, maxArgon2Memory)
	case p.Time < MinArgon2Time || p.Time > maxArgon2Time:
		return p, invalid("admin.argon2.time", "must be between %d and %d", MinArgon2Time, maxArgon2Time)
	}
	return p, nil
}

// CheckPassword applies the admin password policy: valid UTF-8, between
// MinPasswordLen and MaxPasswordLen characters (runes), and not the
// account's email address (compared case-insensitively).
func CheckPassword(password, email string) error {
	if !utf8.ValidString(password) {
		return errors.New("invalid utf-8")
	}
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLen {
		return fmt.Errorf("too short (min %d characters)", MinPasswordLen)
	}
	if n > MaxPasswordLen {
		return fmt.Errorf("too long (max %d characters)", MaxPasswordLen)
	}
	if email != "" && strings.EqualFold(strings.TrimSpace(password), strings.TrimSpace(email)) {
		return errors.New("must not be the email address")
	}
	return nil
}

// kdfFunc has the signature of argon2.IDKey.
type kdfFunc func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte

// phc is a parsed argon2id hash in PHC string format:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>, base64 without padding.
type phc struct {
	params    Argon2Params
	salt, key []byte
}

var b64 = base64.RawStdEncoding

// String encodes h in PHC string format.
func (h phc) String() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.params.Memory, h.params.Time, h.params.Threads, b64.EncodeToString(h.salt), b64.EncodeToString(h.key))
}

// parsePHC parses an argon2id PHC string strictly and bounds its cost.
func parsePHC(s string) (phc, error) {
	bad := func(reason string) (phc, error) {
		return phc{}, errors.New("notary: malformed password hash: " + reason)
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return bad("not an argon2id PHC string")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("unsupported version")
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return bad("parameters")
	}
	var vals [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(kv[i], name)
		if !ok {
			return bad("parameters")
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || strconv.FormatUint(n, 10) != v {
			return bad("parameters")
		}
		vals[i] = n
	}
	h := phc{params: Argon2Params{Memory: uint32(vals[0]), Time: uint32(vals[1])}}
	if vals[2] < 1 || vals[2] > 255 {
		return bad("threads")
	}
	h.params.Threads = uint8(vals[2])
	if h.params.Time < 1 || h.params.Time > maxArgon2Time || h.params.Memory > maxArgon2Memory ||
		h.params.Memory < 8*uint32(h.params.Threads) {
		return bad("cost out of bounds")
	}
	var err error
	if h.salt, err = b64.Strict().DecodeString(parts[4]); err != nil || len(h.salt) < 8 || len(h.salt) > 64 {
		return bad("salt")
	}
	if h.key, err = b64.Strict().DecodeString(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 64 {
		return bad("key")
	}
	return h, nil
}

// weakerThan reports whether h was made with a cost or format below p and
// the current salt and key sizes, so a login should re-hash the password.
func (h phc) weakerThan(p Argon2Params) bool {
	return h.params.Memory < p.Memory || h.params.Time < p.Time || h.params.Threads < p.Threads ||
		len(h.salt) < passwordSaltLen || len(h.key) != passwordKeyLen
}

// dummySalt salts the throw-away derivation made for unknown accounts.
var dummySalt = []byte("notarykit:dummy!")

// derive runs the key derivation function, counting invocations.
func (m *Admins) derive(password string, salt []byte, p Argon2Params, keyLen uint32) []byte {
	m.kdfCalls.Add(1)
	return m.kdf([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
}

// hashPassword hashes password with the current parameters and a fresh
// random salt.
func (m *Admins) hashPassword(password string) (string, error) {
	salt := make([]byte, passwordSaltLen)
	if _, err := io.ReadFull(m.rand, salt); err != nil {
		return "", fmt.Errorf("notary: password salt: %w", err)
	}
	return phc{params: m.policy.Argon2, salt: salt, key: m.derive(password, salt, m.policy.Argon2, passwordKeyLen)}.String(), nil
}

// verifyPassword checks password against an encoded hash in constant
// time. stale reports a match against a hash weaker than the current
// parameters. A malformed hash never matches, but costs the same as a
// real verification, as does dummyVerify.
func (m *Admins) verifyPassword(encoded, password string) (ok, stale bool) {
	h, err := parsePHC(encoded)
	if err != nil {
		m.dummyVerify(password)
		return false, false
	}
	key := m.derive(password, h.salt, h.params, uint32(len(h.key)))
	if subtle.ConstantTimeCompare(key, h.key) != 1 {
		return false, false
	}
	return true, h.weakerThan(m.policy.Argon2)
}

// dummyVerify spends the time of one verification with the current
// parameters, so that an unknown account cannot be told from a wrong
// password by timing.
func (m *Admins) dummyVerify(password string) {
	key := m.derive(password, dummySalt, m.policy.Argon2, passwordKeyLen)
	subtle.ConstantTimeCompare(key, make([]byte, passwordKeyLen))
}
