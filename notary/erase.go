package notary

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// TriggerErase is the audit trigger of the erasure of a filing's personal
// fields (Filings.EraseExpired); TriggerExport that of an owner's export
// (Filings.Export).
const (
	TriggerErase  = "erase"
	TriggerExport = "export"
)

// EraseReport says what one Filings.EraseExpired run did.
type EraseReport struct {
	Erased  int // filings whose personal fields were erased
	Skipped int // filings that changed meanwhile; the next run looks again
}

// EraseExpired erases the personal fields of every filing of the office
// whose last activity is older than Office.PersonalDataRetention: each
// sealed value (in the revision under review, the one in force and every
// earlier revision kept, see Revisions) is replaced by Erased and its blind index dropped, one commit with a system
// audit event (TriggerErase) per filing. The ciphertexts are gone from
// the record; the audit trail never held the values, so its hashes, and
// the transparency log, still verify. Nothing happens when the retention
// is zero. Run it from the host's scheduler, like Sweep.
func (f *Filings) EraseExpired(ctx context.Context) (EraseReport, error) {
	s := f.s
	var rep EraseReport
	keep := s.office.PersonalDataRetention
	if keep <= 0 {
		return rep, nil
	}
	before := s.now().Add(-keep)
	var after *Cursor
	for {
		page, err := s.store.ListFilings(ctx, ListQuery{OfficeID: s.office.ID, UpdatedBefore: before, After: after, Limit: DefaultLimit})
		if err != nil {
			return rep, err
		}
		for _, rec := range page {
			if !rec.UpdatedAt.Before(before) || !holdsPersonal(rec) {
				continue
			}
			err := s.erase(ctx, rec)
			switch {
			case errors.Is(err, ErrConflict):
				rep.Skipped++
			case err != nil:
				return rep, err
			default:
				rep.Erased++
			}
		}
		if len(page) < DefaultLimit {
			return rep, nil
		}
		last := page[len(page)-1]
		after = &Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
}

// holdsPersonal reports whether a stored filing still holds a personal
// value.
func holdsPersonal(rec Filing) bool {
	for _, c := range []*FilingContent{&rec.Content, rec.Approved} {
		if c == nil {
			continue
		}
		for _, pf := range personalFields {
			if p := pf.at(c); p != nil && *p != "" && *p != Erased {
				return true
			}
		}
	}
	return false
}

// erasedContent returns c with every personal field erased.
func erasedContent(c FilingContent) FilingContent {
	c = cloneContent(c)
	clearLookups(&c)
	for _, pf := range personalFields {
		if p := pf.at(&c); p != nil && *p != "" {
			*p = Erased
		}
	}
	return c
}

func (s *Service) erase(ctx context.Context, rec Filing) error {
	next := rec
	next.Content = erasedContent(rec.Content)
	if rec.Approved != nil {
		a := erasedContent(*rec.Approved)
		next.Approved = &a
	}
	revs, err := s.revisionsToRewrite(ctx, rec, func(c FilingContent) (FilingContent, error) { return erasedContent(c), nil })
	if err != nil {
		return err
	}
	next.Version = rec.Version + 1
	ev := s.event(step{kind: KindFiling, recordID: rec.ID, version: rec.Version, head: rec.AuditHead,
		from: string(rec.State), to: string(rec.State), trigger: TriggerErase, actor: systemActor("retention"),
		reason: "personal data erased after the retention period", at: s.now()})
	next.AuditHead = ev.Hash
	return s.store.Commit(ctx, Change{Filing: &next, ExpectedVersion: rec.Version, Events: []Event{ev}, Rewrites: revs})
}

// PersonalDataExport is what the office holds about a user (PIPL art.
// 45): the user's filing with its personal fields in full, every revision
// of its content in full, the user's applications, and the filing's audit
// trail (who saw and changed it).
type PersonalDataExport struct {
	User         User             `json:"user"`
	Filing       *Filing          `json:"filing,omitempty"`
	Revisions    []FilingRevision `json:"revisions"`
	Applications []Application    `json:"applications"`
	Trail        []Event          `json:"trail"`
	ExportedAt   time.Time        `json:"exported_at"`
}

// Export returns to a user a copy of what the office holds about them.
// The full view of the filing is audited (TriggerExport) like a reveal.
// Errors: ErrForbidden, ErrUnsealable, or a store error.
func (f *Filings) Export(ctx context.Context, user User) (PersonalDataExport, error) {
	s := f.s
	if err := checkUserID(user); err != nil {
		return PersonalDataExport{}, err
	}
	out := PersonalDataExport{User: user, Revisions: []FilingRevision{}, Applications: []Application{}, Trail: []Event{}, ExportedAt: s.now()}
	var filingID uuid.UUID
	if rec, err := s.store.FilingByOwner(ctx, s.office.ID, user.ID); err == nil {
		full, err := f.reveal(ctx, user, rec.ID, TriggerExport, "exported to the owner: ", PersonalFields())
		if err != nil {
			return PersonalDataExport{}, err
		}
		out.Filing, filingID = &full, rec.ID
		revs, err := s.store.FilingRevisions(ctx, rec.ID)
		if err != nil {
			return PersonalDataExport{}, err
		}
		for _, r := range revs {
			if r.Content, err = s.viewContent(ctx, rec.ID, r.Content, PersonalFields(), true); err != nil {
				return PersonalDataExport{}, err
			}
			out.Revisions = append(out.Revisions, r)
		}
	} else if !errors.Is(err, ErrNotFound) {
		return PersonalDataExport{}, err
	}
	var after *Cursor
	for {
		page, err := s.store.ListApplications(ctx, ListQuery{OfficeID: s.office.ID, OwnerID: user.ID, After: after, Limit: DefaultLimit})
		if err != nil {
			return PersonalDataExport{}, err
		}
		out.Applications = append(out.Applications, page...)
		if len(page) < DefaultLimit {
			break
		}
		last := page[len(page)-1]
		after = &Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	if filingID != uuid.Nil {
		evs, err := s.store.Events(ctx, filingID)
		if err != nil {
			return PersonalDataExport{}, err
		}
		out.Trail = evs
	}
	return out, nil
}
