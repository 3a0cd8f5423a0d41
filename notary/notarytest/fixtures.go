package notarytest

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/notarykit/notarykit/notary"
)

// Digest returns the hex SHA-256 of s: a well-formed digest for test
// documents and evidence.
func Digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Document returns a valid reference to a PDF named name.
func Document(name string) notary.Document {
	return notary.Document{URI: "https://files.example/" + name, MediaType: "application/pdf", Size: 1024, SHA256: Digest(name)}
}

// FilingContent returns a filing that passes every check: a unified social
// credit code and a resident ID number with valid check characters, a
// mainland mobile number and all required documents.
func FilingContent() notary.FilingContent {
	return notary.FilingContent{
		EnterpriseName:  "Shenzhen Example Technology Co., Ltd.",
		CreditCode:      "91350100M000100Y43",
		BusinessLicense: Document("licence.pdf"),
		LegalRep:        notary.Person{Name: "Zhang San", IDType: notary.IDResident, IDNumber: "11010519491231002X"},
		LegalRepID:      Document("legal-rep-id.pdf"),
		ContactAddress:  "8 Science Park Road, Nanshan, Shenzhen",
		ContactEmail:    "legal@example.com",
		ContactPhone:    "13800138000",
	}
}

// Evidence returns one valid evidence reference per ID.
func Evidence(ids ...string) []notary.Evidence {
	out := make([]notary.Evidence, len(ids))
	for i, id := range ids {
		out[i] = notary.Evidence{ID: id, Title: "Contract " + id, SHA256: Digest(id)}
	}
	return out
}
