-- A host event's own notice (the event as the host lists it) is kept with
-- the audit event of its transition, in events.host, rather than as an
-- outbox row of its own: the events row is written anyway and already
-- carries the transaction ID and the index that order host events, so
-- recording one costs no row and no index entry. Deliveries to host
-- endpoints stay in the outbox. The events' own notices stored before
-- this migration stay there too and are listed first, in their order;
-- those still pending (for the relay's single host event handler, which
-- is gone) are their events' records now, and are marked delivered.
-- Unqualified, like 00001: created in the store's schema.

-- +goose Up
ALTER TABLE events ADD COLUMN host text;
UPDATE outbox SET status = 'delivered', delivered_at = COALESCE(delivered_at, created_at), claim = NULL, lease_until = NULL
WHERE xid IS NOT NULL AND channel = 'host' AND COALESCE(notice->'to'->>'endpoint', '') = '' AND status <> 'delivered';

-- +goose Down
-- The host events kept with audit events go back to the outbox, delivered,
-- after those already there.
INSERT INTO outbox (id, office_id, record_id, kind, channel, status, attempts, next_attempt_at, created_at,
	delivered_at, notice, seq, xid)
SELECT e.id, e.office_id, e.record_id, e.host::json->>'type', 'host', 'delivered', 0, e.at, e.at, e.at,
	('{"record_kind":' || to_json(e.record_kind)::text || ',"to":{},"data":{"record_id":"' || e.record_id::text
		|| '"},"event":' || e.host || '}')::json,
	nextval('outbox_host_seq'), e.xid
FROM events e WHERE e.host IS NOT NULL
ORDER BY e.xid, e.record_id, e.seq;
ALTER TABLE events DROP COLUMN host;
