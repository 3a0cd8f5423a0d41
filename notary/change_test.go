package notary_test

import (
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// A store refuses a change whose event belongs to another record before it
// writes anything.
func ExampleChange_Validate() {
	f := notary.Filing{ID: uuid.New(), OfficeID: uuid.New(), Version: 1}
	c := notary.Change{Filing: &f, Events: []notary.Event{
		{ID: uuid.New(), RecordID: uuid.New(), RecordKind: notary.KindFiling, OfficeID: f.OfficeID, Seq: 1},
	}}
	err := c.Validate()
	var fe *notary.FieldError
	fmt.Println(errors.Is(err, notary.ErrInvalidInput), errors.As(err, &fe) && fe.Field == "events[0].record_id")

	c.Events[0].RecordID = f.ID
	fmt.Println(c.Validate())
	// Output:
	// true true
	// <nil>
}
