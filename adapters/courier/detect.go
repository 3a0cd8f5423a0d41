package courier

import (
	"errors"
	"strings"

	"github.com/notarykit/notarykit/notary"
)

// ErrAmbiguousCarrier is matched (with errors.Is) by an *AmbiguousError:
// the tracking number fits more than one carrier, so the user must choose.
var ErrAmbiguousCarrier = errors.New("courier: tracking number fits several carriers")

// AmbiguousError is returned by Detect when a tracking number fits the
// format (and check digit, where the carrier has one) of several carriers.
// A host shows Candidates and asks the user which carrier they used. It
// matches both ErrAmbiguousCarrier and notary.ErrInvalidInput with
// errors.Is, so a host that does not ask answers it as bad input on the
// field "carrier".
type AmbiguousError struct {
	// Number is the tracking number in canonical form.
	Number string
	// Candidates are the carriers the number fits, in presentation order;
	// there are at least two.
	Candidates []Carrier
}

// Error names the candidate carriers.
func (e *AmbiguousError) Error() string {
	codes := make([]string, len(e.Candidates))
	for i, c := range e.Candidates {
		codes[i] = c.Code
	}
	return "courier: tracking number " + e.Number + " fits several carriers (" + strings.Join(codes, ", ") + "); choose one"
}

// Is reports whether target is ErrAmbiguousCarrier or notary.ErrInvalidInput.
func (e *AmbiguousError) Is(target error) bool {
	return target == ErrAmbiguousCarrier || target == notary.ErrInvalidInput
}

// Unwrap returns the field error a host without a chooser shows: the
// carrier must be given.
func (e *AmbiguousError) Unwrap() error {
	return &notary.FieldError{Field: "carrier", Reason: "required: the number fits several carriers"}
}

// Suggest returns the carriers whose number format (and check digit, where
// the carrier has one) the tracking number fits, in presentation order,
// together with the number in canonical form. It returns no carriers, and
// no error, for a well-formed number no carrier accepts; an empty, too
// long or malformed input yields a *notary.FieldError with Field
// "tracking_number".
func Suggest(number string) ([]Carrier, string, error) {
	n, reason := clean(number)
	if reason != "" {
		return nil, "", &notary.FieldError{Field: "tracking_number", Reason: reason}
	}
	var fits []Carrier
	for _, c := range registry {
		if c.check(n) == "" {
			fits = append(fits, c)
		}
	}
	return fits, n, nil
}

// Detect finds the carrier of a tracking number given without one. When
// exactly one carrier fits (a prefix such as "SF", "JD" or "YT", or a UPU
// S10 number with a correct check digit) it returns that carrier and the
// canonical number. When several fit — plain digit runs usually do — it
// returns an *AmbiguousError listing them, for the host to ask the user.
// When none fits it returns a *notary.FieldError with Field
// "tracking_number". Every error matches notary.ErrInvalidInput.
func Detect(number string) (Carrier, string, error) {
	fits, n, err := Suggest(number)
	switch {
	case err != nil:
		return Carrier{}, "", err
	case len(fits) == 0:
		return Carrier{}, "", &notary.FieldError{Field: "tracking_number", Reason: "fits no supported carrier"}
	case len(fits) > 1:
		return Carrier{}, "", &AmbiguousError{Number: n, Candidates: fits}
	}
	return fits[0], n, nil
}
