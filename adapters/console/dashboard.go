package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

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
	Stats  statsView
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
	if v.Stats, err = c.statsView(r, s); err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "dashboard", pageData{Lang: s.Lang, Title: t(s.Lang, "dash.title"), Admin: &s.Admin,
		Waiting: s.Waiting, CSRF: s.CSRF, Nav: "dashboard", P: v})
	return nil
}

// The dashboard's statistics: review turnaround per week and applications
// and fees per month (notary.Reviews.Stats, bucketed in the office's time
// zone), drawn as server-side SVG column charts with a table of the same
// numbers beside each.

// statsWeeks and statsMonths are how far back the charts go.
const (
	statsWeeks  = 12
	statsMonths = 12
)

// chart is one SVG column chart: its geometry is computed here, the
// template only writes it out.
type chart struct {
	ID     string
	Title  string
	Width  int
	Height int
	Bars   []chartBar
	Labels []chartLabel
	Legend []chartLabel // legend texts; Fill set
}

type chartBar struct {
	X, Y, W, H int
	Fill       string
	Title      string // the tooltip: the bar's exact value
}

type chartLabel struct {
	X, Y   int
	Text   string
	Fill   string
	Anchor string // start, middle or end
}

// Chart geometry: the plot spans plotLeft..plotRight, its base at
// plotBase, its tallest bar plotHeight high.
const (
	chartWidth  = 600
	plotLeft    = 8
	plotRight   = 592
	plotTop     = 34
	plotHeight  = 150
	plotBase    = plotTop + plotHeight
	chartHeight = plotBase + 24
)

// Series colours: dark enough for text contrast, told apart by shade.
const (
	fillPrimary   = "#1f3a5f"
	fillSecondary = "#7a9cc6"
)

// columns builds a chart of groups of columns: values[g][s] is series s of
// group g, labels[g] the group's label, tips[g][s] the bar's tooltip.
func columns(id, title string, labels []string, values [][]float64, tips [][]string, legend []string) chart {
	ch := chart{ID: id, Title: title, Width: chartWidth, Height: chartHeight}
	most := 0.0
	for _, g := range values {
		for _, v := range g {
			most = max(most, v)
		}
	}
	fills := []string{fillPrimary, fillSecondary}
	slot := (plotRight - plotLeft) / max(len(labels), 1)
	for g, vs := range values {
		width := slot * 7 / 10 / max(len(vs), 1)
		x0 := plotLeft + g*slot + (slot-width*len(vs))/2
		for s, v := range vs {
			h := 0
			if most > 0 {
				h = int(v/most*plotHeight + 0.5)
			}
			ch.Bars = append(ch.Bars, chartBar{X: x0 + s*width, Y: plotBase - h, W: width, H: h, Fill: fills[s%len(fills)], Title: tips[g][s]})
		}
		ch.Labels = append(ch.Labels, chartLabel{X: plotLeft + g*slot + slot/2, Y: plotBase + 18, Text: labels[g], Fill: "#1d2330", Anchor: "middle"})
	}
	for i, name := range legend {
		ch.Legend = append(ch.Legend, chartLabel{X: plotLeft + i*160, Y: 6, Text: name, Fill: fills[i%len(fills)], Anchor: "start"})
	}
	return ch
}

// span writes a duration to the minute: 2 天 3 小时, 4 小时 45 分, 12 分.
func span(l Lang, d time.Duration) string {
	m := int(d.Round(time.Minute).Minutes())
	days, hours, mins := m/(24*60), m/60%24, m%60
	zh := [3]string{"天", "小时", "分"}
	en := [3]string{"d", "h", "m"}
	var parts []string
	for i, n := range []int{days, hours, mins} {
		if n == 0 || len(parts) == 2 {
			continue
		}
		if l == English {
			parts = append(parts, strconv.Itoa(n)+en[i])
		} else {
			parts = append(parts, strconv.Itoa(n)+" "+zh[i])
		}
	}
	if len(parts) == 0 {
		if l == English {
			return "0m"
		}
		return "0 分"
	}
	return strings.Join(parts, " ")
}

// weekRow and monthRow are the tables beside the charts.
type weekRow struct {
	Start       time.Time
	Decisions   int
	Median, P90 string
}

type monthRow struct {
	Start        time.Time
	Applications int
	Paid         int
	Fees         []string // one per currency: 1234.50 CNY
	Refunded     []string
}

type statsView struct {
	Turnaround, Applications, Fees chart
	Weeks                          []weekRow
	Months                         []monthRow
	Currency                       string // the currency of the fees chart
}

// statsView reads the statistics and lays out their charts.
func (c *Console) statsView(r *http.Request, s session) (statsView, error) {
	l := s.Lang
	st, err := c.svc.Reviews.Stats(r.Context(), s.Admin, statsWeeks, statsMonths)
	if err != nil {
		return statsView{}, err
	}
	var v statsView
	var labels []string
	var values [][]float64
	var tips [][]string
	for _, w := range st.Weeks {
		row := weekRow{Start: w.Start, Decisions: w.Decisions, Median: "—", P90: "—"}
		if w.Decisions > 0 {
			row.Median, row.P90 = span(l, w.Median), span(l, w.P90)
		}
		v.Weeks = append(v.Weeks, row)
		labels = append(labels, w.Start.Format("1/2"))
		values = append(values, []float64{w.Median.Hours(), w.P90.Hours()})
		tips = append(tips, []string{t(l, "dash.median") + " " + row.Median, t(l, "dash.p90") + " " + row.P90})
	}
	v.Turnaround = columns("turnaround-chart", t(l, "dash.turnaround"), labels, values, tips, []string{t(l, "dash.median"), t(l, "dash.p90")})

	// The fees chart shows the office's main currency: the one with the
	// most applications over the months.
	counts := map[string]int{}
	for _, m := range st.Months {
		for _, x := range m.Totals {
			counts[x.Currency] += x.Applications
		}
	}
	for cur, n := range counts {
		if v.Currency == "" || n > counts[v.Currency] || (n == counts[v.Currency] && cur < v.Currency) {
			v.Currency = cur
		}
	}
	labels, values, tips = nil, nil, nil
	var fees [][]float64
	var feeTips [][]string
	for _, m := range st.Months {
		row := monthRow{Start: m.Start, Applications: m.Applications()}
		fee := decimal.Zero
		for _, x := range m.Totals {
			row.Paid += x.Paid
			row.Fees = append(row.Fees, x.Fees.StringFixed(2)+" "+x.Currency)
			if !x.Refunded.IsZero() {
				row.Refunded = append(row.Refunded, x.Refunded.StringFixed(2)+" "+x.Currency)
			}
			if x.Currency == v.Currency {
				fee = x.Fees
			}
		}
		v.Months = append(v.Months, row)
		labels = append(labels, m.Start.Format("2006-01")[2:])
		values = append(values, []float64{float64(row.Applications)})
		tips = append(tips, []string{strconv.Itoa(row.Applications)})
		f, _ := fee.Float64() // bar heights only; the numbers are exact in the table
		fees = append(fees, []float64{f})
		feeTips = append(feeTips, []string{fee.StringFixed(2) + " " + v.Currency})
	}
	v.Applications = columns("applications-chart", t(l, "dash.applications"), labels, values, tips, nil)
	v.Fees = columns("fees-chart", t(l, "dash.fees")+" ("+v.Currency+")", labels, fees, feeTips, nil)
	return v, nil
}
