package notary_test

import (
	"context"
	"fmt"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// Every content filed is kept: an amendment under review can be compared
// with the revision in force, and an application made meanwhile reads the
// revision it was made under.
func ExampleFilings_Revisions() {
	ctx := context.Background()
	svc, _ := newExampleService()
	reviewer := exampleAdmin(ctx, svc)
	user := notary.User{ID: "acct-1", Email: "legal@acme.example", Name: "王经理"}
	f, err := svc.Filings.Submit(ctx, user, notarytest.FilingContent())
	if err != nil {
		panic(err)
	}
	if f, err = svc.Reviews.ApproveFiling(ctx, reviewer, f.ID, f.Version); err != nil {
		panic(err)
	}
	amended := notarytest.FilingContent()
	amended.EnterpriseName = "Acme Renamed Co., Ltd."
	if f, err = svc.Filings.Amend(ctx, user, f.ID, amended); err != nil {
		panic(err)
	}

	revs, _ := svc.Filings.Revisions(ctx, reviewer, f.ID)
	for _, r := range revs {
		fmt.Println(r.Number, r.Trigger, r.Content.EnterpriseName, r.Content.LegalRep.IDNumber)
	}
	changes, _ := svc.Filings.Compare(ctx, reviewer, f.ID, f.ApprovedRevision, f.Revision)
	for _, c := range changes {
		if c.Changed {
			fmt.Printf("%s: %q → %q\n", c.Field, c.From, c.To)
		}
	}
	// Output:
	// 1 submit Shenzhen Example Technology Co., Ltd. 1101**********002X
	// 2 amend Acme Renamed Co., Ltd. 1101**********002X
	// enterprise_name: "Shenzhen Example Technology Co., Ltd." → "Acme Renamed Co., Ltd."
}
