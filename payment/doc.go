// Package payment prices notarial certificate applications.
//
// An application is charged by the number of evidence records it contains.
// A [Pricing] describes the tariff: an optional fixed base fee, either a flat
// per-record price or graduated [Tier]s, and an optional minimum charge.
// [Pricing.Quote] turns a record count into an itemised [Quote].
//
// All money is handled as [decimal.Decimal]; floating point is never used.
// Every quote line amount is rounded to the fen (2 decimal places, round half
// up / away from zero, as done by decimal.Round(2)), and the quote total is the
// exact sum of its lines, so the lines always add up to [Quote.Amount].
//
// The package is pure: it performs no I/O and holds no global mutable state.
package payment
