package console

import (
	"net/http"

	"github.com/notarykit/notarykit/notary"
)

// The operations page: the notices the relay gave up on (dead letters),
// each with its last error, and a retry once the cause is fixed; and the
// sweep problems, the applications on which a background duty of the
// sweep keeps failing (a refund the provider refuses, an order it will not
// close), with the duty's last error. The SDK (notary.DeadLetters,
// Applications.Stuck) lists only the office's own.

// deadLetterLimit bounds the dead letters the page lists; stuckLimit the
// sweep problems.
const (
	deadLetterLimit = 100
	stuckLimit      = 100
)

type operationsView struct {
	DeadLetters []notary.Notice
	Stuck       []applicationRow // each with its Retry set
}

func (c *Console) operationsPage(w http.ResponseWriter, r *http.Request, s session) error {
	list, err := c.svc.DeadLetters.List(r.Context(), s.Admin, deadLetterLimit)
	if err != nil {
		return err
	}
	stuck, err := c.svc.Applications.Stuck(r.Context(), s.Admin, stuckLimit)
	if err != nil {
		return err
	}
	v := operationsView{DeadLetters: list}
	if v.Stuck, err = c.applicationRows(r, s, stuck, nil); err != nil {
		return err
	}
	flash := ""
	if r.URL.Query().Get("done") == "retry" {
		flash = t(s.Lang, "done.retry")
	}
	c.render(w, r, http.StatusOK, "operations", pageData{Lang: s.Lang, Title: t(s.Lang, "ops.title"), Admin: &s.Admin,
		Waiting: s.Waiting, CSRF: s.CSRF, Nav: "operations", Flash: flash, P: v})
	return nil
}

func (c *Console) retryDeadLetter(w http.ResponseWriter, r *http.Request, s session) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := c.svc.DeadLetters.Retry(r.Context(), s.Admin, id); err != nil {
		return err
	}
	http.Redirect(w, r, c.path("/operations?done=retry"), http.StatusSeeOther)
	return nil
}
