-- A host event's own notice (the event as the host lists it) is its
-- record, committed delivered; only its deliveries to host endpoints are
-- sent. Those still pending from before (for the relay's single host event
-- handler, which is gone) are marked delivered. Nothing to undo.

-- +goose Up
UPDATE outbox SET status = 'delivered', delivered_at = COALESCE(delivered_at, created_at), claim = NULL, lease_until = NULL
WHERE channel = 'host' AND COALESCE(json_extract(recipient, '$.endpoint'), '') = '' AND status <> 'delivered';

-- +goose Down
