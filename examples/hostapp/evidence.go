package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/notarykit/notarykit/notary"
)

// EvidenceCatalog is the host platform's own evidence store, which the SDK
// never sees: users pick evidence by ID, and the host resolves the IDs to
// records the user owns before calling Applications.Apply.
type EvidenceCatalog interface {
	// List returns the user's evidence records.
	List(ctx context.Context, userID string) ([]notary.Evidence, error)
	// Lookup returns the user's records with the given IDs, in order. An
	// ID the user does not own is an error wrapping notary.ErrInvalidInput.
	Lookup(ctx context.Context, userID string, ids []string) ([]notary.Evidence, error)
}

// DemoEvidence simulates an evidence-storage platform: every user owns
// PerUser records whose IDs, titles and digests are derived from the user
// ID, so they are stable across restarts and distinct between users.
type DemoEvidence struct{ PerUser int }

var demoTitles = []string{
	"采购合同（电子签章版）", "网页取证：侵权商品页面", "往来邮件存档", "供货协议补充条款",
	"直播录屏取证", "聊天记录截图", "软件源代码快照", "设计图纸版本记录",
}

// List returns the user's demo evidence records.
func (d DemoEvidence) List(_ context.Context, userID string) ([]notary.Evidence, error) {
	out := make([]notary.Evidence, d.PerUser)
	for i := range out {
		out[i] = d.record(userID, i)
	}
	return out, nil
}

// Lookup resolves evidence IDs to the user's demo records.
func (d DemoEvidence) Lookup(_ context.Context, userID string, ids []string) ([]notary.Evidence, error) {
	byID := make(map[string]notary.Evidence, d.PerUser)
	for i := range d.PerUser {
		e := d.record(userID, i)
		byID[e.ID] = e
	}
	out := make([]notary.Evidence, len(ids))
	for i, id := range ids {
		e, ok := byID[id]
		if !ok {
			return nil, &notary.FieldError{Field: fmt.Sprintf("evidence_ids[%d]", i), Reason: "no such evidence record of yours"}
		}
		out[i] = e
	}
	return out, nil
}

func (d DemoEvidence) record(userID string, i int) notary.Evidence {
	u := sha256.Sum256([]byte(userID))
	id := fmt.Sprintf("ev-%s-%02d", hex.EncodeToString(u[:5]), i+1)
	title := demoTitles[i%len(demoTitles)]
	sum := sha256.Sum256([]byte(id + "\x00" + title))
	return notary.Evidence{ID: id, Title: title, SHA256: hex.EncodeToString(sum[:])}
}
