// Package tink seals notarykit's personal data with Google Tink: a
// notary.Sealer over an AEAD keyset, with key rotation (new writes use the
// keyset's primary key, ciphertexts of the older keys stay readable, and
// notary's Filings.Reseal moves records forward).
//
// The keyset comes from a KeySource, the port a host plugs its KMS into:
// EncryptedFile reads a keyset encrypted by a key-encryption AEAD (a KMS
// client's AEAD, in production); File reads a cleartext keyset (for
// development and the examples only); Static serves a keyset held in
// memory (tests, and NewKeyset makes one).
//
// Rotating keys: add a key and make it primary (Rotate), store the keyset,
// call Sealer.Reload (or restart), then run Filings.Reseal until it
// reports nothing left; only then may the old key be disabled and deleted.
package tink

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
	tinkapi "github.com/tink-crypto/tink-go/v2/tink"

	"github.com/notarykit/notarykit/notary"
)

// KeySource gives the keyset to seal with. A host implements it over its
// KMS (or uses EncryptedFile with the KMS's AEAD as the key-encryption
// key).
type KeySource interface {
	Keyset(ctx context.Context) (*keyset.Handle, error)
}

// KeySourceFunc adapts a function to KeySource.
type KeySourceFunc func(ctx context.Context) (*keyset.Handle, error)

// Keyset calls f.
func (f KeySourceFunc) Keyset(ctx context.Context) (*keyset.Handle, error) { return f(ctx) }

// Static serves the keyset h (tests; a host that loaded its keyset itself).
func Static(h *keyset.Handle) KeySource {
	return KeySourceFunc(func(context.Context) (*keyset.Handle, error) { return h, nil })
}

// NewKeyset returns a new keyset of one AES-256-GCM key.
func NewKeyset() (*keyset.Handle, error) {
	return keyset.NewHandle(aead.AES256GCMKeyTemplate())
}

// Rotate returns h with a new AES-256-GCM key added as its primary: new
// seals use it, and the earlier keys still open what they sealed.
func Rotate(h *keyset.Handle) (*keyset.Handle, error) {
	m := keyset.NewManagerFromHandle(h)
	id, err := m.Add(aead.AES256GCMKeyTemplate())
	if err != nil {
		return nil, fmt.Errorf("tink: add key: %w", err)
	}
	if err := m.SetPrimary(id); err != nil {
		return nil, fmt.Errorf("tink: set primary: %w", err)
	}
	return m.Handle()
}

// File reads a cleartext JSON keyset from path. The key lies on disk
// unprotected: for development and the examples, never production.
func File(path string) KeySource {
	return KeySourceFunc(func(context.Context) (*keyset.Handle, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("tink: read keyset: %w", err)
		}
		return insecurecleartextkeyset.Read(keyset.NewJSONReader(bytes.NewReader(b)))
	})
}

// WriteFile writes h to path as a cleartext JSON keyset readable by its
// owner alone (see File). It refuses to overwrite an existing file.
func WriteFile(path string, h *keyset.Handle) error {
	var buf bytes.Buffer
	if err := insecurecleartextkeyset.Write(h, keyset.NewJSONWriter(&buf)); err != nil {
		return fmt.Errorf("tink: encode keyset: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// LoadOrCreateFile returns the cleartext keyset at path, creating it with
// a new key first when the file does not exist: the examples' zero-setup
// key source. Development only (see File).
func LoadOrCreateFile(ctx context.Context, path string) (KeySource, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		h, err := NewKeyset()
		if err != nil {
			return nil, err
		}
		if err := WriteFile(path, h); err != nil {
			return nil, err
		}
	}
	src := File(path)
	if _, err := src.Keyset(ctx); err != nil {
		return nil, err
	}
	return src, nil
}

// EncryptedFile reads a JSON keyset at path encrypted with kek, the
// key-encryption AEAD of the host's KMS: the production key source when
// the KMS holds the key-encryption key and the keyset lives beside the
// application.
func EncryptedFile(path string, kek tinkapi.AEAD) KeySource {
	return KeySourceFunc(func(context.Context) (*keyset.Handle, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("tink: read keyset: %w", err)
		}
		return keyset.Read(keyset.NewJSONReader(bytes.NewReader(b)), kek)
	})
}

// WriteEncryptedFile writes h to path encrypted with kek (see
// EncryptedFile), replacing the file.
func WriteEncryptedFile(path string, h *keyset.Handle, kek tinkapi.AEAD) error {
	var buf bytes.Buffer
	if err := h.Write(keyset.NewJSONWriter(&buf), kek); err != nil {
		return fmt.Errorf("tink: encrypt keyset: %w", err)
	}
	return os.WriteFile(path, buf.Bytes(), 0o600)
}

// Sealer is a notary.Sealer over a Tink AEAD keyset. It is safe for
// concurrent use.
type Sealer struct {
	src KeySource

	mu      sync.RWMutex
	aead    tinkapi.AEAD
	primary uint32
	prefix  bool // the primary key writes Tink's 5-byte key-ID prefix
}

var (
	_ notary.Sealer     = (*Sealer)(nil)
	_ notary.KeyRotator = (*Sealer)(nil)
)

// New loads the keyset from src and returns a Sealer over it.
func New(ctx context.Context, src KeySource) (*Sealer, error) {
	s := &Sealer{src: src}
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Reload reads the keyset from the source again, after a rotation: seals
// from then on use its primary key.
func (s *Sealer) Reload(ctx context.Context) error {
	h, err := s.src.Keyset(ctx)
	if err != nil {
		return fmt.Errorf("tink: load keyset: %w", err)
	}
	a, err := aead.New(h)
	if err != nil {
		return fmt.Errorf("tink: keyset is not an AEAD keyset: %w", err)
	}
	p, err := h.Primary()
	if err != nil {
		return fmt.Errorf("tink: keyset has no primary key: %w", err)
	}
	info := h.KeysetInfo()
	prefix := false
	for _, k := range info.GetKeyInfo() {
		if k.GetKeyId() == p.KeyID() {
			prefix = k.GetOutputPrefixType().String() == "TINK"
		}
	}
	s.mu.Lock()
	s.aead, s.primary, s.prefix = a, p.KeyID(), prefix
	s.mu.Unlock()
	return nil
}

func (s *Sealer) current() tinkapi.AEAD {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.aead
}

// Seal encrypts plaintext with the primary key, bound to associatedData.
func (s *Sealer) Seal(_ context.Context, plaintext, associatedData []byte) ([]byte, error) {
	return s.current().Encrypt(plaintext, associatedData)
}

// Open decrypts a ciphertext of any enabled key of the keyset.
func (s *Sealer) Open(_ context.Context, ciphertext, associatedData []byte) ([]byte, error) {
	return s.current().Decrypt(ciphertext, associatedData)
}

// Current reports whether ciphertext was sealed under the primary key,
// by Tink's key-ID prefix. A keyset whose primary key writes no prefix
// cannot tell: every ciphertext counts as current.
func (s *Sealer) Current(ciphertext []byte) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.prefix {
		return true
	}
	return len(ciphertext) > 5 && ciphertext[0] == 1 && binary.BigEndian.Uint32(ciphertext[1:5]) == s.primary
}
