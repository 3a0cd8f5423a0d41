package notary_test

import (
	"context"
	"fmt"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// Reads show personal fields masked; Reveal shows them to a reviewer
// deciding the filing, and puts the view on the filing's audit trail.
func ExampleFilings_Reveal() {
	ctx := context.Background()
	svc, _ := newExampleService()
	reviewer := exampleAdmin(ctx, svc)
	user := notary.User{ID: "acct-1", Email: "legal@acme.example", Name: "王经理"}
	f, err := svc.Filings.Submit(ctx, user, notarytest.FilingContent())
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Content.LegalRep.IDNumber, f.Content.ContactPhone)

	f, err = svc.Filings.Reveal(ctx, reviewer, f.ID, notary.FieldLegalRepIDNumber)
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Content.LegalRep.IDNumber, f.Content.ContactPhone)
	trail, _ := svc.Audit.Trail(ctx, reviewer, f.ID)
	last := trail[len(trail)-1]
	fmt.Println(last.Trigger, last.Actor.Kind, last.Reason)
	// Output:
	// 1101**********002X 138****8000
	// 11010519491231002X 138****8000
	// reveal admin viewed in full: legal_rep.id_number
}
