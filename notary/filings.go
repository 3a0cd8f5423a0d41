package notary

import (
	"context"
	"errors"

	"github.com/google/uuid"
)

// Filings is the material application unit (资料申请单元): enterprises file
// their registration materials here and edit them after a rejection or to
// amend an approved filing.
type Filings struct{ s *Service }

// Submit files a user's first enterprise filing. It returns the stored
// filing in PendingReview and tells the office. Errors: ErrInvalidInput
// (a *FieldError), ErrForbidden (no user identity), ErrConflict (the user
// already has a filing at this office: use Resubmit or Amend).
func (f *Filings) Submit(ctx context.Context, user User, content FilingContent) (Filing, error) {
	s := f.s
	if err := checkUser(user); err != nil {
		return Filing{}, err
	}
	content, err := content.Normalize()
	if err != nil {
		return Filing{}, err
	}
	if _, err := s.store.FilingByOwner(ctx, s.office.ID, user.ID); err == nil {
		return Filing{}, wrap(ErrConflict, "user %s already has a filing; resubmit or amend it", user.ID)
	} else if !errors.Is(err, ErrNotFound) {
		return Filing{}, err
	}
	now := s.now()
	rec := Filing{ID: s.ids.NewID(), OfficeID: s.office.ID, Owner: user, State: FilingNew, CreatedAt: now}
	if content, err = s.sealContent(ctx, rec.ID, content); err != nil {
		return Filing{}, err
	}
	return s.maskedErr(ctx)(s.fireFiling(ctx, rec, FilingSubmit, transition[Filing]{actor: user, apply: func(n *Filing) {
		n.Content = content
		n.Revision = 1
	}}))
}

// Resubmit files edited content for a rejected filing as a new revision.
// Errors: as Submit, plus ErrNotFound, ErrInvalidTransition (not rejected).
func (f *Filings) Resubmit(ctx context.Context, user User, id uuid.UUID, content FilingContent) (Filing, error) {
	return f.edit(ctx, user, id, FilingResubmit, content)
}

// Amend files a new revision of an approved filing. The approved revision
// stays in force until the new one is approved. Errors: as Resubmit.
func (f *Filings) Amend(ctx context.Context, user User, id uuid.UUID, content FilingContent) (Filing, error) {
	return f.edit(ctx, user, id, FilingAmend, content)
}

func (f *Filings) edit(ctx context.Context, user User, id uuid.UUID, trigger FilingTrigger, content FilingContent) (Filing, error) {
	if err := checkUserID(user); err != nil {
		return Filing{}, err
	}
	content, err := content.Normalize()
	if err != nil {
		return Filing{}, err
	}
	rec, err := f.s.store.Filing(ctx, id)
	if err != nil {
		return Filing{}, err
	}
	if content, err = f.s.sealContent(ctx, rec.ID, content); err != nil {
		return Filing{}, err
	}
	return f.s.maskedErr(ctx)(f.s.fireFiling(ctx, rec, trigger, transition[Filing]{actor: user, apply: func(n *Filing) {
		n.Content = content
		n.Reason = ""
		n.Revision++ // every content filed is a revision, kept (Revisions)
	}}))
}

// Get returns a filing to its owner or to an admin of the office, its
// personal fields masked (Reveal shows them in full).
// Errors: ErrNotFound, ErrForbidden, ErrUnauthenticated.
func (f *Filings) Get(ctx context.Context, actor Principal, id uuid.UUID) (Filing, error) {
	rec, _, err := f.inspect(ctx, actor, id)
	return rec, err
}

// Inspect returns a filing with the actions actor may take on it now: Get
// and Actions with one read and one authorization. Errors: as Get.
func (f *Filings) Inspect(ctx context.Context, actor Principal, id uuid.UUID) (Filing, []FilingTrigger, error) {
	rec, p, err := f.inspect(ctx, actor, id)
	if err != nil {
		return Filing{}, nil, err
	}
	return rec, FilingLifecycle.Permitted(ctx, rec.State, p), nil
}

// inspect reads a filing for actor and authorizes the read.
func (f *Filings) inspect(ctx context.Context, actor Principal, id uuid.UUID) (Filing, Party, error) {
	rec, actor, err := load(ctx, f.s, actor, id, f.s.store.Filing, ReviewReader.FilingForReview)
	if err != nil {
		return Filing{}, "", err
	}
	p, _, err := f.s.party(ctx, actor, rec.OfficeID, rec.Owner.ID)
	if err != nil {
		return Filing{}, "", err
	}
	return f.s.masked(ctx, rec), p, nil
}

// Mine returns the user's filing at this office, its personal fields
// masked, or ErrNotFound when the user has not filed yet.
func (f *Filings) Mine(ctx context.Context, user User) (Filing, error) {
	if err := checkUserID(user); err != nil {
		return Filing{}, err
	}
	return f.s.maskedErr(ctx)(f.s.store.FilingByOwner(ctx, f.s.office.ID, user.ID))
}

// Actions lists what actor may do with the filing now. Errors: as Get.
func (f *Filings) Actions(ctx context.Context, actor Principal, id uuid.UUID) ([]FilingTrigger, error) {
	_, actions, err := f.Inspect(ctx, actor, id)
	return actions, err
}

// transition describes one firing of a lifecycle trigger on a record of
// type T.
type transition[T any] struct {
	actor  Principal      // User, Admin or a system principal
	reason string         // audited, and shown to the user where the notice has one
	dedup  string         // Change.DedupKey
	match  *TransferMatch // Change.Match; At and By are filled in by the commit
	apply  func(*T)       // the record's changes beyond state and version

	// versioned says the caller decided on the record at version seen, so
	// seen is required and must be the stored version (admin decisions).
	// Otherwise seen is unused and the call acts on the stored record
	// (owner and system actions, which the lifecycle alone guards).
	versioned bool
	seen      int64
}

// check refuses a versioned transition whose caller did not decide on the
// stored version: ErrInvalidInput when it named none, ErrConflict when the
// record has moved on since.
func (t transition[T]) check(kind string, id uuid.UUID, stored int64) error {
	if !t.versioned {
		return nil
	}
	if err := checkVersion(t.seen); err != nil {
		return err
	}
	if t.seen != stored {
		return wrap(ErrConflict, "%s %s is at version %d, not %d", kind, id, stored, t.seen)
	}
	return nil
}

// fireFiling runs one filing transition as one atomic commit: authorize,
// check the version the caller saw, fire the lifecycle, apply the change,
// audit it and enqueue its notices.
func (s *Service) fireFiling(ctx context.Context, rec Filing, trigger FilingTrigger, t transition[Filing]) (Filing, error) {
	party, who, err := s.party(ctx, t.actor, rec.OfficeID, rec.Owner.ID)
	if err != nil {
		return Filing{}, err
	}
	if err := t.check("filing", rec.ID, rec.Version); err != nil {
		return Filing{}, err
	}
	to, err := FilingLifecycle.Fire(ctx, rec.State, trigger, party)
	if err != nil {
		return Filing{}, err
	}
	now := s.now()
	next := rec
	next.State = to
	next.Version = rec.Version + 1
	next.UpdatedAt = now
	if t.apply != nil {
		t.apply(&next)
	}
	ev := s.event(step{kind: KindFiling, recordID: rec.ID, version: rec.Version, head: rec.AuditHead,
		from: string(rec.State), to: string(to), trigger: string(trigger), actor: who, reason: t.reason, at: now})
	next.AuditHead = ev.Hash

	notices, err := s.notices(ev, noticeSource{filing: &next})
	if err != nil {
		return Filing{}, err
	}
	var rev *FilingRevision
	if filesContent(trigger) {
		rev = &FilingRevision{FilingID: next.ID, OfficeID: next.OfficeID, Number: next.Revision, Trigger: trigger,
			Content: cloneContent(next.Content), SubmittedAt: now, SubmittedBy: who}
	}
	err = s.commit(ctx, Change{Filing: &next, ExpectedVersion: rec.Version, Events: []Event{ev}, Notices: notices, Revision: rev},
		KindFiling, string(trigger), string(rec.State), string(to))
	if err != nil {
		return Filing{}, err
	}
	return next, nil
}
