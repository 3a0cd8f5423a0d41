package console

import (
	"net/http"
	"time"

	"github.com/notarykit/notarykit/notary"
)

// The dashboard: how much waits in each review queue, and the oldest item
// of each, read from the queue indexes (a count and the first row of
// each queue), drawn as a server-side SVG bar chart.

// queueStat is one review queue on the dashboard.
type queueStat struct {
	State   string
	Path    string // the queue page, under the prefix
	Count   int
	Oldest  string // the oldest item's enterprise, "" when empty
	Link    string // the oldest item's page
	Since   time.Time
	Waiting time.Duration
	Bar     int // bar length in the chart, 0–380 px
	Y       int // the bar's row in the chart
	TextX   int // where the count is written, after the bar
}

type dashboardView struct {
	Queues []queueStat
	Height int // the chart's height
}

func (c *Console) dashboardPage(w http.ResponseWriter, r *http.Request, s session) error {
	ctx, now := r.Context(), c.svc.Clock().Now()
	var v dashboardView
	filings, err := c.svc.Reviews.FilingQueue(ctx, s.Admin, notary.FilingPendingReview, nil, 1)
	if err != nil {
		return err
	}
	q := queueStat{State: string(notary.FilingPendingReview), Path: "/filings?state=PendingReview", Count: s.Waiting[string(notary.FilingPendingReview)]}
	if len(filings) > 0 {
		f := filings[0]
		q.Oldest, q.Link, q.Since = f.Content.EnterpriseName, "/filings/"+f.ID.String(), f.UpdatedAt
	}
	v.Queues = append(v.Queues, q)
	for _, st := range []notary.ApplicationState{notary.PendingPreliminaryReview, notary.PendingFinalReview, notary.CertificateInProduction} {
		apps, err := c.svc.Reviews.ApplicationQueue(ctx, s.Admin, st, nil, 1)
		if err != nil {
			return err
		}
		q := queueStat{State: string(st), Path: "/applications?state=" + string(st), Count: s.Waiting[string(st)]}
		if len(apps) > 0 {
			a := apps[0]
			content, err := c.enterprise(r, s, a.FilingID, nil)
			if err != nil {
				return err
			}
			q.Oldest, q.Link, q.Since = content.EnterpriseName, "/applications/"+a.ID.String(), a.UpdatedAt
		}
		v.Queues = append(v.Queues, q)
	}
	most := 0
	for _, q := range v.Queues {
		most = max(most, q.Count)
	}
	for i := range v.Queues {
		q := &v.Queues[i]
		if most > 0 {
			q.Bar = q.Count * 380 / most
		}
		q.TextX = 196 + q.Bar
		q.Y = 10 + i*36
		if !q.Since.IsZero() {
			q.Waiting = now.Sub(q.Since).Truncate(time.Minute)
		}
	}
	v.Height = 20 + len(v.Queues)*36
	c.render(w, r, http.StatusOK, "dashboard", pageData{Lang: s.Lang, Title: t(s.Lang, "dash.title"), Admin: &s.Admin,
		Waiting: s.Waiting, CSRF: s.CSRF, Nav: "dashboard", P: v})
	return nil
}
