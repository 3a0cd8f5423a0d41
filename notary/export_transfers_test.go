package notary

// CheckTransfer and MatchQuote expose the bank-transfer rules to the
// external tests.
var (
	CheckTransfer = checkTransfer
	MatchQuote    = matchQuote
)
