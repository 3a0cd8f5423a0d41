package tink_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"

	"github.com/notarykit/notarykit/adapters/tink"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	"github.com/notarykit/notarykit/store"
)

var alice = notary.User{ID: "u-alice", Email: "alice@example.com", Name: "Alice"}

// service is a Service over a memory store sealing with s.
func service(t *testing.T, st *store.Memory, s notary.Sealer) *notary.Service {
	t.Helper()
	svc, err := notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{ID: uuid.MustParse("0b7f6a52-5a43-4d5e-9a58-2f6a3f1d0c01"), Name: "Office",
			AdminEmails: []string{"desk@office.example"}, MailingAddress: "1 Notary Road"},
		Store: st, Payments: notarytest.NewPayments(), Clock: notarytest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)),
		IDs: &notarytest.IDs{}, Sealer: s, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	return svc
}

// keyID returns the Tink key ID a stored sealed value was sealed under.
func keyID(t *testing.T, v string) uint32 {
	t.Helper()
	require.True(t, notary.IsSealed(v), v)
	ct, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(v, "sealed:v1:"))
	require.NoError(t, err)
	require.Equal(t, byte(1), ct[0], "Tink prefix")
	return binary.BigEndian.Uint32(ct[1:5])
}

func primary(t *testing.T, h *keyset.Handle) uint32 {
	t.Helper()
	p, err := h.Primary()
	require.NoError(t, err)
	return p.KeyID()
}

func TestSealOpenBindsAssociatedData(t *testing.T) {
	ctx := context.Background()
	h, err := tink.NewKeyset()
	require.NoError(t, err)
	s, err := tink.New(ctx, tink.Static(h))
	require.NoError(t, err)
	ct, err := s.Seal(ctx, []byte("11010519491231002X"), []byte("record-1/id"))
	require.NoError(t, err)
	assert.NotContains(t, string(ct), "11010519491231002X")
	pt, err := s.Open(ctx, ct, []byte("record-1/id"))
	require.NoError(t, err)
	assert.Equal(t, "11010519491231002X", string(pt))
	_, err = s.Open(ctx, ct, []byte("record-2/id"))
	require.Error(t, err, "another record's associated data does not open it")
	assert.True(t, s.Current(ct))

	other, err := tink.NewKeyset()
	require.NoError(t, err)
	s2, err := tink.New(ctx, tink.Static(other))
	require.NoError(t, err)
	_, err = s2.Open(ctx, ct, []byte("record-1/id"))
	require.Error(t, err, "another keyset does not open it")
}

// TestRotation seals under one key, rotates, and checks that old records
// stay readable, new writes use the new primary, and Reseal moves the old
// records forward, once.
func TestRotation(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keys", "keyset.json")
	src, err := tink.LoadOrCreateFile(ctx, path)
	require.NoError(t, err)
	h1, err := src.Keyset(ctx)
	require.NoError(t, err)
	keys := h1
	sealer, err := tink.New(ctx, tink.KeySourceFunc(func(context.Context) (*keyset.Handle, error) { return keys, nil }))
	require.NoError(t, err)
	st := store.NewMemory()
	svc := service(t, st, sealer)

	f, err := svc.Filings.Submit(ctx, alice, notarytest.FilingContent())
	require.NoError(t, err)
	stored, err := st.Filing(ctx, f.ID)
	require.NoError(t, err)
	old := primary(t, h1)
	assert.Equal(t, old, keyID(t, stored.Content.LegalRep.IDNumber))

	keys, err = tink.Rotate(h1)
	require.NoError(t, err)
	require.NoError(t, sealer.Reload(ctx))
	now := primary(t, keys)
	require.NotEqual(t, old, now)

	got, err := svc.Filings.Reveal(ctx, alice, f.ID, notary.FieldLegalRepIDNumber)
	require.NoError(t, err, "a record sealed under the old key stays readable")
	assert.Equal(t, "11010519491231002X", got.Content.LegalRep.IDNumber)

	rep, err := svc.Filings.Reseal(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, notary.ResealReport{Checked: 1, Resealed: 1}, rep)
	stored, err = st.Filing(ctx, f.ID)
	require.NoError(t, err)
	for _, v := range []string{stored.Content.LegalRep.Name, stored.Content.LegalRep.IDNumber, stored.Content.ContactPhone} {
		assert.Equal(t, now, keyID(t, v))
	}
	rep, err = svc.Filings.Reseal(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, notary.ResealReport{Checked: 1}, rep, "nothing left to move")
	require.NoError(t, svc.Audit.Verify(ctx, alice, f.ID))
	evs, err := st.Events(ctx, f.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.TriggerReseal, evs[len(evs)-1].Trigger)

	// With the old key gone, the resealed record still opens.
	m := keyset.NewManagerFromHandle(keys)
	require.NoError(t, m.Disable(old))
	require.NoError(t, m.Delete(old))
	keys, err = m.Handle()
	require.NoError(t, err)
	require.NoError(t, sealer.Reload(ctx))
	got, err = svc.Filings.Reveal(ctx, alice, f.ID)
	require.NoError(t, err)
	assert.Equal(t, "Zhang San", got.Content.LegalRep.Name)
}

func TestFileSources(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "keyset.json")
	_, err := tink.LoadOrCreateFile(ctx, path)
	require.NoError(t, err)
	h, err := tink.File(path).Keyset(ctx)
	require.NoError(t, err)
	again, err := tink.LoadOrCreateFile(ctx, path)
	require.NoError(t, err)
	h2, err := again.Keyset(ctx)
	require.NoError(t, err)
	assert.Equal(t, primary(t, h), primary(t, h2), "an existing keyset file is kept")
	require.Error(t, tink.WriteFile(path, h), "never overwritten")

	// An encrypted keyset file, its key-encryption key an AEAD (a KMS's).
	kekHandle, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	require.NoError(t, err)
	kek, err := aead.New(kekHandle)
	require.NoError(t, err)
	enc := filepath.Join(dir, "keyset.enc.json")
	require.NoError(t, tink.WriteEncryptedFile(enc, h, kek))
	h3, err := tink.EncryptedFile(enc, kek).Keyset(ctx)
	require.NoError(t, err)
	assert.Equal(t, primary(t, h), primary(t, h3))
	otherKEK, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	require.NoError(t, err)
	wrong, err := aead.New(otherKEK)
	require.NoError(t, err)
	_, err = tink.EncryptedFile(enc, wrong).Keyset(ctx)
	require.Error(t, err)
	_, err = tink.New(ctx, tink.File(filepath.Join(dir, "missing.json")))
	require.Error(t, err)
}
