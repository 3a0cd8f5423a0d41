package notary_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// decision is one admin decision that names the version the admin saw.
type decision struct {
	name   string
	state  notary.ApplicationState // an application state the decision is permitted in
	filing bool                    // decides a filing under review instead
	run    func(e *env, admin notary.Admin, id uuid.UUID, version int64) error
}

func decisions() []decision {
	return []decision{
		{name: "ApproveFiling", filing: true, run: func(e *env, a notary.Admin, id uuid.UUID, v int64) error {
			return errOnly(e.svc.Reviews.ApproveFiling(e.ctx, a, id, v))
		}},
		{name: "RejectFiling", filing: true, run: func(e *env, a notary.Admin, id uuid.UUID, v int64) error {
			return errOnly(e.svc.Reviews.RejectFiling(e.ctx, a, id, v, "blurred licence"))
		}},
		{name: "ApprovePreliminary", state: notary.PendingPreliminaryReview, run: func(e *env, a notary.Admin, id uuid.UUID, v int64) error {
			return errOnly(e.svc.Reviews.ApprovePreliminary(e.ctx, a, id, v))
		}},
		{name: "RejectPreliminary", state: notary.PendingPreliminaryReview, run: func(e *env, a notary.Admin, id uuid.UUID, v int64) error {
			return errOnly(e.svc.Reviews.RejectPreliminary(e.ctx, a, id, v, "not notarizable"))
		}},
		{name: "RejectFinal", state: notary.PendingFinalReview, run: func(e *env, a notary.Admin, id uuid.UUID, v int64) error {
			return errOnly(e.svc.Reviews.RejectFinal(e.ctx, a, id, v, "missing signature"))
		}},
		{name: "ApproveFinal", state: notary.PendingFinalReview, run: func(e *env, a notary.Admin, id uuid.UUID, v int64) error {
			return errOnly(e.svc.Reviews.ApproveFinal(e.ctx, a, id, v, "(2026)深证字第00077号"))
		}},
		{name: "Ship", state: notary.CertificateInProduction, run: func(e *env, a notary.Admin, id uuid.UUID, v int64) error {
			return errOnly(e.svc.Reviews.Ship(e.ctx, a, id, v, "EMS", "EE123456785CN"))
		}},
	}
}

var filers int

// setup brings a record to where d is permitted and returns its ID,
// version and evidence.
func (d decision) setup(e *env) (uuid.UUID, int64, []string) {
	if d.filing {
		filers++
		u := notary.User{ID: fmt.Sprintf("u-filer-%d", filers), Email: "filer@example.com"}
		f, err := e.svc.Filings.Submit(e.ctx, u, notarytest.FilingContent())
		require.NoError(e.t, err)
		return f.ID, f.Version, nil
	}
	app := e.appIn(d.state)
	return app.ID, app.Version, app.EvidenceIDs()
}

// TestDecisionsNeedTheVersion checks that every decision refuses a missing
// (0) or negative version with ErrInvalidInput naming "version", before it
// changes anything, and still decides with the version the admin saw.
func TestDecisionsNeedTheVersion(t *testing.T) {
	for _, d := range decisions() {
		t.Run(d.name, func(t *testing.T) {
			e := newEnv(t)
			id, version, evidence := d.setup(e)
			before := e.snapshot(id, evidence)
			for _, v := range []int64{0, -1, -version} {
				err := d.run(e, e.reviewer, id, v)
				require.ErrorIs(t, err, notary.ErrInvalidInput, "version %d", v)
				var fe *notary.FieldError
				require.True(t, errors.As(err, &fe), "a *FieldError: %v", err)
				assert.Equal(t, "version", fe.Field)
				require.Equal(t, before, e.snapshot(id, evidence), "version %d changed something", v)
			}
			require.NoError(t, d.run(e, e.reviewer, id, version), "the version the admin saw decides")
		})
	}
}

// TestRaceLoserGetsConflict has two admins decide the same record with the
// version both saw: one wins, and the other learns the record changed
// (ErrConflict), not that the decision is no longer permitted.
func TestRaceLoserGetsConflict(t *testing.T) {
	for _, d := range decisions() {
		t.Run(d.name, func(t *testing.T) {
			e := newEnv(t)
			_, other := e.newAdmin("second@office.example", notary.RoleReviewer)
			admins := []notary.Admin{e.reviewer, other}

			// One after the other: the second reads the record the first
			// changed.
			id, version, _ := d.setup(e)
			require.NoError(t, d.run(e, admins[0], id, version))
			require.ErrorIs(t, d.run(e, admins[1], id, version), notary.ErrConflict)

			// At once: whichever commits second loses.
			id, version, _ = d.setup(e)
			errs := make([]error, len(admins))
			var wg sync.WaitGroup
			for i, a := range admins {
				wg.Go(func() { errs[i] = d.run(e, a, id, version) })
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				if err == nil {
					won++
					continue
				}
				require.ErrorIs(t, err, notary.ErrConflict)
			}
			require.Equal(t, 1, won, "exactly one admin decides")
		})
	}
}
