package notary

import (
	"fmt"
	"regexp"
	"strings"
)

// Bounds on input sizes.
const (
	MaxDocumentSize = 200 << 20 // 200 MiB
	MaxReasonLen    = 1000      // characters
	maxURILen       = 2048
)

var mediaTypeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$`)

// normalizeDocument validates a document reference and returns it with its
// digest in lower case.
func normalizeDocument(field string, d Document) (Document, error) {
	d.URI = strings.TrimSpace(d.URI)
	d.MediaType = strings.ToLower(strings.TrimSpace(d.MediaType))
	switch {
	case d.URI == "":
		return d, invalid(field+".uri", "required")
	case len(d.URI) > maxURILen:
		return d, invalid(field+".uri", "too long (max %d bytes)", maxURILen)
	case !mediaTypeRE.MatchString(d.MediaType):
		return d, invalid(field+".media_type", "not a media type")
	case d.Size <= 0 || d.Size > MaxDocumentSize:
		return d, invalid(field+".size", "must be between 1 and %d bytes", MaxDocumentSize)
	}
	if err := CheckText(d.URI, 1, maxURILen); err != nil {
		return d, invalid(field+".uri", "%v", err)
	}
	if err := CheckSHA256Hex(d.SHA256); err != nil {
		return d, invalid(field+".sha256", "%v", err)
	}
	d.SHA256 = strings.ToLower(d.SHA256)
	return d, nil
}

// normalizePerson validates a natural person.
func normalizePerson(field string, p Person) (Person, error) {
	p.Name = strings.TrimSpace(p.Name)
	p.IDNumber = strings.ToUpper(strings.TrimSpace(p.IDNumber))
	if err := CheckText(p.Name, 1, 100); err != nil {
		return p, invalid(field+".name", "%v", err)
	}
	switch p.IDType {
	case IDResident:
		if err := CheckResidentID(p.IDNumber); err != nil {
			return p, invalid(field+".id_number", "%v", err)
		}
	case IDPassport, IDHKMO, IDTaiwan:
		if !alnumRE.MatchString(p.IDNumber) {
			return p, invalid(field+".id_number", "must be 5 to 20 letters or digits")
		}
	default:
		return p, invalid(field+".id_type", "unknown identity document type %q", p.IDType)
	}
	return p, nil
}

var alnumRE = regexp.MustCompile(`^[A-Z0-9]{5,20}$`)

// Normalize validates every field of a filing and returns it trimmed and in
// canonical case. The error is a *FieldError naming the first bad field.
func (c FilingContent) Normalize() (FilingContent, error) {
	var err error
	c.EnterpriseName = strings.TrimSpace(c.EnterpriseName)
	if err = CheckText(c.EnterpriseName, 2, 200); err != nil {
		return c, invalid("enterprise_name", "%v", err)
	}
	c.CreditCode = strings.ToUpper(strings.TrimSpace(c.CreditCode))
	if err = CheckCreditCode(c.CreditCode); err != nil {
		return c, invalid("credit_code", "%v", err)
	}
	if c.BusinessLicense, err = normalizeDocument("business_license", c.BusinessLicense); err != nil {
		return c, err
	}
	if c.LegalRep, err = normalizePerson("legal_rep", c.LegalRep); err != nil {
		return c, err
	}
	if c.LegalRepID, err = normalizeDocument("legal_rep_id", c.LegalRepID); err != nil {
		return c, err
	}
	c.ContactAddress = strings.TrimSpace(c.ContactAddress)
	if err = CheckText(c.ContactAddress, 5, 500); err != nil {
		return c, invalid("contact_address", "%v", err)
	}
	c.ContactEmail = strings.TrimSpace(c.ContactEmail)
	if err = CheckEmail(c.ContactEmail); err != nil {
		return c, invalid("contact_email", "%v", err)
	}
	c.ContactPhone = strings.TrimPrefix(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(c.ContactPhone)), "+86")
	if err = CheckMobile(c.ContactPhone); err != nil {
		return c, invalid("contact_phone", "%v", err)
	}
	if c.Agent != nil {
		a := *c.Agent
		if a.Person, err = normalizePerson("agent", a.Person); err != nil {
			return c, err
		}
		if a.PowerOfAttorney, err = normalizeDocument("agent.power_of_attorney", a.PowerOfAttorney); err != nil {
			return c, err
		}
		if a.IDDocument, err = normalizeDocument("agent.id_document", a.IDDocument); err != nil {
			return c, err
		}
		c.Agent = &a
	}
	return c, nil
}

// normalizeEvidence validates a selection of evidence records.
func normalizeEvidence(ev []Evidence, max int) ([]Evidence, error) {
	if len(ev) == 0 {
		return nil, invalid("evidence", "select at least one evidence record")
	}
	if len(ev) > max {
		return nil, invalid("evidence", "at most %d records per application", max)
	}
	out := make([]Evidence, len(ev))
	seen := make(map[string]bool, len(ev))
	for i, e := range ev {
		field := fmt.Sprintf("evidence[%d]", i)
		e.ID = strings.TrimSpace(e.ID)
		e.Title = strings.TrimSpace(e.Title)
		if err := CheckText(e.ID, 1, 128); err != nil {
			return nil, invalid(field+".id", "%v", err)
		}
		if seen[e.ID] {
			return nil, invalid(field+".id", "selected twice")
		}
		seen[e.ID] = true
		if err := CheckText(e.Title, 1, 200); err != nil {
			return nil, invalid(field+".title", "%v", err)
		}
		if err := CheckSHA256Hex(e.SHA256); err != nil {
			return nil, invalid(field+".sha256", "%v", err)
		}
		e.SHA256 = strings.ToLower(e.SHA256)
		out[i] = e
	}
	return out, nil
}

// checkReason validates a rejection reason.
func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if err := CheckText(reason, 1, MaxReasonLen); err != nil {
		return "", invalid("reason", "%v", err)
	}
	return reason, nil
}

var trackingRE = regexp.MustCompile(`^[A-Z0-9]{6,40}$`)

// normalizeShipment validates a carrier and tracking number with the
// configured Courier.
func (s *Service) normalizeShipment(carrier, number string) (Shipment, error) {
	// Both are stored and sent to the user, whatever the Courier accepts;
	// checked before case folding, which would hide invalid UTF-8.
	if err := CheckText(carrier, 1, 16); err != nil {
		return Shipment{}, invalid("carrier", "%v", err)
	}
	if err := CheckText(number, 1, 100); err != nil {
		return Shipment{}, invalid("tracking_number", "%v", err)
	}
	carrier = strings.ToUpper(strings.TrimSpace(carrier))
	if s.courier != nil {
		n, err := s.courier.Normalize(carrier, number)
		if err != nil {
			if !isInvalid(err) {
				return Shipment{}, invalid("tracking_number", "%v", err)
			}
			return Shipment{}, err
		}
		return Shipment{Carrier: carrier, TrackingNumber: n}, nil
	}
	number = strings.ToUpper(strings.TrimSpace(number))
	if !trackingRE.MatchString(number) {
		return Shipment{}, invalid("tracking_number", "must be 6 to 40 letters or digits")
	}
	return Shipment{Carrier: carrier, TrackingNumber: number}, nil
}
