// Package storetest is the conformance suite of [notary.Store]. Every store
// (store.NewMemory, the SQLite and PostgreSQL adapters, an integrator's own)
// must pass it:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) notary.Store { return mystore.New(t) })
//	}
package storetest

import (
	"testing"

	"github.com/notarykit/notarykit/notary"
)

// Run runs the conformance suite against the stores made by newStore. It
// calls newStore once per subtest and expects a fresh, empty store each
// time (register any cleanup with t.Cleanup). Stores must keep times with at
// least microsecond precision; the suite compares times in UTC, treats nil
// and empty slices alike and compares decimals by value.
func Run(t *testing.T, newStore func(t *testing.T) notary.Store) {
	t.Helper()
	for _, g := range groups() {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
			}
		})
	}
}

type test struct {
	name string
	run  func(t *testing.T, s notary.Store)
}

type group struct {
	name  string
	tests []test
}

// groups lists the suite's groups in the order they run. Each group lives
// in the file of the port it checks (records.go, outbox.go, …): a new port
// adds a file with its group variable and one line here.
func groups() []group {
	return []group{
		notFoundGroup,
		filingGroup,
		applicationGroup,
		copiesGroup,
		commitGroup,
		reservationsGroup,
		listGroup,
		eventsGroup,
		outboxGroup,
		inboxGroup,
		adminGroup,
		sessionGroup,
		reviewReaderGroup,
		logGroup,
		trackingGroup,
		noncesGroup,
		paymentsGroup,
		statsGroup,
		hostEventsGroup,
		reviewIndexGroup,
		reviewStatsGroup,
		sweepGroup,
		personalGroup,
		revisionGroup,
		transfersGroup,
	}
}
