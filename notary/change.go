package notary

import (
	"fmt"
	"slices"

	"github.com/google/uuid"
)

// Validate checks the contract of a Change that needs no stored state, so
// every Store refuses a malformed change the same way before writing
// anything. Records.Commit implementations call it first; what depends on
// what is stored (versions, unique keys, reservations) stays theirs.
//
// A valid change sets exactly one of Filing and Application, with an ID and
// an office; ExpectedVersion is not negative and the record's Version is
// ExpectedVersion+1; only an application reserves or releases evidence, and
// only evidence it lists, never the same ID both ways; every event belongs
// to the record (its ID, kind and office) and has an ID and a positive Seq
// (whether it follows the stored trail is the store's check, ErrConflict);
// every notice has an ID; a host event's own notice (ChannelHost, no
// endpoint) is at most one, carries the ID, record and time of one of the
// change's events, and is delivered — it is that event's record for the
// host, not a delivery, so a store may keep it with the event; only a
// filing files (Revision) or rewrites
// (Rewrites) revisions, only its own (filing ID and office), numbered from
// 1 up to the filing's Revision, a filed revision being exactly the
// filing's Revision with a submission time, and no revision changed twice.
//
// The error wraps ErrInvalidInput as a *FieldError naming the offending
// field of the change, e.g. "application.version" or "events[0].record_id".
func (c Change) Validate() error {
	var (
		kind           RecordKind
		id, office     uuid.UUID
		version        int64
		evidence       []string
		prefix         string
		hasApplication = c.Application != nil
	)
	switch {
	case c.Filing == nil && !hasApplication:
		return invalid("record", "a change sets one of filing and application; it sets neither")
	case c.Filing != nil && hasApplication:
		return invalid("record", "a change sets one of filing and application; it sets both")
	case c.Filing != nil:
		kind, id, office, version, prefix = KindFiling, c.Filing.ID, c.Filing.OfficeID, c.Filing.Version, "filing"
	default:
		kind, id, office, version, prefix = KindApplication, c.Application.ID, c.Application.OfficeID, c.Application.Version, "application"
		evidence = c.Application.EvidenceIDs()
	}
	switch {
	case id == uuid.Nil:
		return invalid(prefix+".id", "required")
	case office == uuid.Nil:
		return invalid(prefix+".office_id", "required")
	case c.ExpectedVersion < 0:
		return invalid("expected_version", "negative: %d", c.ExpectedVersion)
	case version != c.ExpectedVersion+1:
		return invalid(prefix+".version", "is %d; a change from version %d stores version %d", version, c.ExpectedVersion, c.ExpectedVersion+1)
	}
	if err := checkEvidenceMoves(kind, evidence, c.Reserve, c.Release); err != nil {
		return err
	}
	if err := c.checkRevisions(); err != nil {
		return err
	}
	for i, ev := range c.Events {
		field := func(name string) string { return fmt.Sprintf("events[%d].%s", i, name) }
		switch {
		case ev.ID == uuid.Nil:
			return invalid(field("id"), "required")
		case ev.RecordID != id:
			return invalid(field("record_id"), "is %s, not the %s's %s", ev.RecordID, kind, id)
		case ev.RecordKind != kind:
			return invalid(field("record_kind"), "is %q, not %q", ev.RecordKind, kind)
		case ev.OfficeID != office:
			return invalid(field("office_id"), "is %s, not the %s's office %s", ev.OfficeID, kind, office)
		case ev.Seq < 1:
			return invalid(field("seq"), "is %d; trails start at 1", ev.Seq)
		}
	}
	if c.Match != nil {
		switch {
		case kind != KindApplication:
			return invalid("match", "only an application's change matches a transfer")
		case c.Match.TransferID == uuid.Nil:
			return invalid("match.transfer_id", "required")
		case c.Match.At.IsZero():
			return invalid("match.at", "required")
		}
	}
	hostEvents := 0
	for i, n := range c.Notices {
		if n.ID == uuid.Nil {
			return invalid(fmt.Sprintf("notices[%d].id", i), "required")
		}
		if isHostEvent(n) {
			if hostEvents++; hostEvents > 1 {
				return invalid(fmt.Sprintf("notices[%d]", i), "a change commits at most one host event")
			}
			if err := c.checkHostEvent(i, n, id); err != nil {
				return err
			}
		}
		if (n.Channel == ChannelHost) != (len(n.Event) > 0) {
			return invalid(fmt.Sprintf("notices[%d].event", i), "a notice carries a host event document exactly when its channel is %q", ChannelHost)
		}
		if n.To.Endpoint != "" && n.Channel != ChannelHost {
			return invalid(fmt.Sprintf("notices[%d].to.endpoint", i), "only a notice on channel %q goes to a host endpoint", ChannelHost)
		}
	}
	return nil
}

// HostEvent returns the change's host event: its notice on ChannelHost
// for no endpoint (the event itself, which Validate allows once and ties
// to one of the change's events), or nil. A store may keep it with that
// event rather than as a notice.
func (c Change) HostEvent() *Notice {
	for i, n := range c.Notices {
		if isHostEvent(n) {
			return &c.Notices[i]
		}
	}
	return nil
}

// isHostEvent reports whether n is a host event's own notice rather than a
// delivery of one to an endpoint or a notice to a person.
func isHostEvent(n Notice) bool { return n.Channel == ChannelHost && n.To.Endpoint == "" }

// checkHostEvent checks the host event's own notice n, the change's
// notices[i], of the record id: see Validate.
func (c Change) checkHostEvent(i int, n Notice, id uuid.UUID) error {
	field := func(name string) string { return fmt.Sprintf("notices[%d].%s", i, name) }
	at := slices.IndexFunc(c.Events, func(e Event) bool { return e.ID == n.ID })
	switch {
	case at < 0:
		return invalid(field("id"), "%s is none of the change's events; a host event is recorded with its audit event", n.ID)
	case n.RecordID != id:
		return invalid(field("record_id"), "is %s, not the change's record %s", n.RecordID, id)
	case !n.CreatedAt.Equal(c.Events[at].At):
		return invalid(field("created_at"), "is %s, not its event's time %s", n.CreatedAt, c.Events[at].At)
	case n.Status != NoticeDelivered:
		return invalid(field("status"), "is %q; a host event's own notice is committed %q (its endpoints' notices are sent)",
			n.Status, NoticeDelivered)
	}
	return nil
}

// checkRevisions checks a change's Revision and Rewrites against its
// record: only a filing has revisions, only its own, a new revision is the
// filing's current one, and no revision is rewritten twice or both filed
// and rewritten.
func (c Change) checkRevisions() error {
	if c.Revision == nil && len(c.Rewrites) == 0 {
		return nil
	}
	if c.Filing == nil {
		return invalid("revision", "an application has no revisions")
	}
	f := c.Filing
	check := func(prefix string, r FilingRevision) error {
		switch {
		case r.FilingID != f.ID:
			return invalid(prefix+".filing_id", "is %s, not the filing's %s", r.FilingID, f.ID)
		case r.OfficeID != f.OfficeID:
			return invalid(prefix+".office_id", "is %s, not the filing's office %s", r.OfficeID, f.OfficeID)
		case r.Number < 1:
			return invalid(prefix+".number", "is %d; revisions start at 1", r.Number)
		case r.Number > f.Revision:
			return invalid(prefix+".number", "is %d, after the filing's revision %d", r.Number, f.Revision)
		}
		return nil
	}
	if r := c.Revision; r != nil {
		if err := check("revision", *r); err != nil {
			return err
		}
		switch {
		case r.Number != f.Revision:
			return invalid("revision.number", "is %d; the filing files revision %d", r.Number, f.Revision)
		case r.SubmittedAt.IsZero():
			return invalid("revision.submitted_at", "required")
		}
	}
	for i, r := range c.Rewrites {
		prefix := fmt.Sprintf("rewrites[%d]", i)
		if err := check(prefix, r); err != nil {
			return err
		}
		if slices.ContainsFunc(c.Rewrites[:i], func(o FilingRevision) bool { return o.Number == r.Number }) ||
			(c.Revision != nil && c.Revision.Number == r.Number) {
			return invalid(prefix+".number", "revision %d is changed twice", r.Number)
		}
	}
	return nil
}

// checkEvidenceMoves checks a change's Reserve and Release lists against
// the record: only an application holds evidence, and only its own.
func checkEvidenceMoves(kind RecordKind, evidence, reserve, release []string) error {
	for _, list := range []struct {
		field string
		ids   []string
	}{{"reserve", reserve}, {"release", release}} {
		for i, e := range list.ids {
			switch {
			case kind != KindApplication:
				return invalid(list.field, "a %s holds no evidence", kind)
			case !slices.Contains(evidence, e):
				return invalid(fmt.Sprintf("%s[%d]", list.field, i), "evidence %q is not the application's", e)
			case list.field == "reserve" && slices.Contains(release, e):
				return invalid(fmt.Sprintf("reserve[%d]", i), "evidence %q is both reserved and released", e)
			}
		}
	}
	return nil
}

// DefaultLimit is the page size of a listing whose limit is not positive.
const DefaultLimit = 50

// Validate checks a listing query before a store runs it: the office is
// required. The error wraps ErrInvalidInput as a *FieldError naming
// "office_id".
func (q ListQuery) Validate() error {
	if q.OfficeID == uuid.Nil {
		return invalid("office_id", "a listing is of one office; none given")
	}
	return nil
}

// PageSize returns q.Limit, or DefaultLimit when it is not positive.
func (q ListQuery) PageSize() int {
	if q.Limit <= 0 {
		return DefaultLimit
	}
	return q.Limit
}
