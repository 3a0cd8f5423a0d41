package console

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// exportPage is the number of applications the export reads per query.
const exportPage = 500

// exportDates parses ?from= and ?to= (dates in the office's time zone,
// to exclusive); absent, the current month.
func (c *Console) exportDates(r *http.Request) (time.Time, time.Time, error) {
	loc := c.svc.Office().TimeZone
	now := c.svc.Clock().Now().In(loc)
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	to := from.AddDate(0, 1, 0)
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &from}, {"to", &to}} {
		if s := r.URL.Query().Get(p.name); s != "" {
			d, err := time.ParseInLocation("2006-01-02", s, loc)
			if err != nil {
				return time.Time{}, time.Time{}, &notary.FieldError{Field: p.name, Reason: "must be a date, YYYY-MM-DD"}
			}
			*p.dst = d
		}
	}
	if !to.After(from) {
		return time.Time{}, time.Time{}, &notary.FieldError{Field: "to", Reason: "must be after from"}
	}
	return from, to, nil
}

// csvCell neutralizes a cell a spreadsheet would run as a formula.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// exportCSV streams the office's applications made in the period, with
// their fees, as CSV: UTF-8 with a byte order mark, so Excel opens the
// Chinese correctly. It reads page by page (keyset), never all at once.
func (c *Console) exportCSV(w http.ResponseWriter, r *http.Request, s session) error {
	from, to, err := c.exportDates(r)
	if err != nil {
		return err
	}
	ctx, l := r.Context(), s.Lang
	// The first page before any byte is sent, so a refusal is a page.
	page, err := c.svc.Reviews.Ledger(ctx, s.Admin, from, to, nil, exportPage)
	if err != nil {
		return err
	}
	loc := c.svc.Office().TimeZone
	name := "applications-" + from.Format("2006-01-02") + "_" + to.Format("2006-01-02") + ".csv"
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, _ = w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	header := []string{"csv.id", "col.enterprise", "col.credit", "state", "col.evidence", "csv.amount", "csv.currency",
		"a.payment", "csv.paid", "csv.refund", "a.certno", "col.created", "col.updated"}
	for i, k := range header {
		header[i] = t(l, k)
	}
	_ = cw.Write(header)
	when := func(at time.Time) string {
		if at.IsZero() {
			return ""
		}
		return at.In(loc).Format("2006-01-02 15:04:05")
	}
	names := map[uuid.UUID]notary.FilingContent{}
	for len(page) > 0 {
		for _, a := range page {
			content, err := c.enterprise(r, s, a.FilingID, names)
			if err != nil {
				c.log.ErrorContext(ctx, "console: export", "err", err)
				cw.Flush()
				return nil // the header is sent: the file ends short, logged
			}
			refund := ""
			if a.Refund != nil {
				refund = a.Refund.Amount.StringFixed(2)
			}
			_ = cw.Write([]string{a.ID.String(), csvCell(content.EnterpriseName), csvCell(content.CreditCode),
				label(states, l, string(a.State)), strconv.Itoa(len(a.Evidence)), a.Quote.Amount.StringFixed(2), a.Quote.Currency,
				string(a.Payment.Status), when(a.Payment.PaidAt), refund, csvCell(a.CertificateNumber),
				when(a.CreatedAt), when(a.UpdatedAt)})
		}
		if len(page) < exportPage {
			break
		}
		last := page[len(page)-1]
		if page, err = c.svc.Reviews.Ledger(ctx, s.Admin, from, to, &notary.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}, exportPage); err != nil {
			c.log.ErrorContext(ctx, "console: export", "err", err)
			break
		}
	}
	cw.Flush()
	return nil
}
