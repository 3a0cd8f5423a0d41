package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/pressly/goose/v3"

	"github.com/notarykit/notarykit/notary"
)

// goMigrations are the migrations written in Go, numbered among the SQL
// files in migrations/: those whose work needs the notary package.
func goMigrations() []*goose.Migration {
	return []*goose.Migration{
		// 00018: a host event recorded with its audit event keeps only
		// its document's data (events.host_data), when the rest of the
		// document is rebuilt from the event (notary.HostEventData);
		// other documents, and those stored before, stay whole in
		// events.host. Down writes the rebuilt documents into host,
		// which needs notary.HostEventDocument: hence Go.
		goose.NewGoMigration(18,
			&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `ALTER TABLE events ADD COLUMN host_data text`)
				return err
			}},
			&goose.GoFunc{RunTx: wholeHostEvents}),
	}
}

// wholeHostEvents is the Down of migration 18: every host event kept as
// its data alone is written whole into events.host, a page at a time,
// with the append-only trigger off for this transaction's update.
func wholeHostEvents(ctx context.Context, tx *sql.Tx) error {
	const page = 1000
	if _, err := tx.ExecContext(ctx, `ALTER TABLE events DISABLE TRIGGER events_append_only`); err != nil {
		return err
	}
	after := uuid.Nil
	for {
		rows, err := tx.QueryContext(ctx, `SELECT id, record_id, record_kind, office_id, seq, trigger, at, host_data
FROM events WHERE host_data IS NOT NULL AND id > $1 AND id <> '00000000-0000-0000-0000-000000000000'
ORDER BY id LIMIT $2`, after, page)
		if err != nil {
			return err
		}
		var ids, docs []string
		for rows.Next() {
			var (
				ev   notary.Event
				kind string
				at   time.Time
				data []byte
			)
			if err := rows.Scan(&ev.ID, &ev.RecordID, &kind, &ev.OfficeID, &ev.Seq, &ev.Trigger, &at, &data); err != nil {
				rows.Close()
				return err
			}
			ev.RecordKind, ev.At = notary.RecordKind(kind), at.UTC()
			doc, err := notary.HostEventDocument(ev, data)
			if err != nil {
				rows.Close()
				return fmt.Errorf("host event %s: %w", ev.ID, err)
			}
			ids, docs, after = append(ids, ev.ID.String()), append(docs, string(doc)), ev.ID
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 {
			break
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events e SET host = u.doc
FROM unnest($1::uuid[], $2::text[]) AS u(id, doc) WHERE e.id = u.id`, ids, docs); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `ALTER TABLE events ENABLE TRIGGER events_append_only`); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `ALTER TABLE events DROP COLUMN host_data`)
	return err
}
