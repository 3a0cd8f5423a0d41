package notary_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/notarykit/notarykit/notary"
)

// TestOfficeTimeZone checks the default office time zone (UTC+8 all year)
// and that a configured one is kept.
func TestOfficeTimeZone(t *testing.T) {
	e := newEnv(t)
	loc := e.svc.Office().TimeZone
	if assert.NotNil(t, loc) {
		for _, month := range []time.Month{time.January, time.July} {
			_, offset := time.Date(2026, month, 1, 12, 0, 0, 0, loc).Zone()
			assert.Equal(t, 8*60*60, offset, "UTC+8 in %s", month)
		}
	}
	berlin := time.FixedZone("CET", 60*60)
	e = newEnv(t, func(c *notary.Config) { c.Office.TimeZone = berlin })
	assert.Same(t, berlin, e.svc.Office().TimeZone)
	assert.Equal(t, "CST", zoneName(notary.DefaultTimeZone()), "China Standard Time")
}

func zoneName(loc *time.Location) string {
	name, _ := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).Zone()
	return name
}
