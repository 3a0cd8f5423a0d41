package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/notarykit/notarykit/notary"
)

// Transient failures are retried inside the store a bounded number of
// times: idempotent reads on any transient failure, writes only when the
// failure says they were not applied (see notApplied).
const (
	// maxAttempts bounds how often one call is tried.
	maxAttempts = 3
	// retryDelay is the wait before the second attempt; it doubles for
	// each further one.
	retryDelay = 25 * time.Millisecond
)

// transient reports whether err is a failure expected to pass: the
// connection was lost or refused, the server is shutting down or not
// accepting connections yet (57P01–57P03), is out of connection slots
// (53300), or aborted the transaction as a serialization failure (40001)
// or deadlock (40P01). The caller's own cancellation is not transient.
func transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57P01", // admin_shutdown (pg_terminate_backend, a fast shutdown)
			"57P02", // crash_shutdown
			"57P03", // cannot_connect_now (starting up, shutting down, recovering)
			"53300", // too_many_connections
			"40001", // serialization_failure
			"40P01": // deadlock_detected
			return true
		}
		return strings.HasPrefix(pe.Code, "08") // connection_exception and its subclasses
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || pgconn.SafeToRetry(err) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, pgconn.ErrConnClosed)
}

// notApplied reports whether a failed write certainly changed nothing, so
// that sending it again cannot apply it twice: nothing reached the server,
// no connection could be made, the batch failed while its statements were
// being prepared (before any ran), or the server rolled the transaction
// back as a serialization failure or deadlock. A connection lost while the
// write was in flight is not such a case: the commit may have happened.
func notApplied(err error) bool {
	var pre pgx.ErrPreprocessingBatch
	if errors.As(err, &pre) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01" || pe.Code == "57P03" || pe.Code == "53300"
	}
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) || pgconn.SafeToRetry(err)
}

// connLost reports whether err says the connection itself failed (as
// opposed to the server refusing one transaction).
func connLost(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code != "40001" && pe.Code != "40P01" && pe.Code != "53300"
	}
	return true
}

// retry runs op up to maxAttempts times while it fails with an error that
// again(err) accepts, waiting a little longer before each attempt, and
// returns its last result. A lost connection rarely dies alone (the server
// restarted, failed over or terminated its backends), and the pool would
// hand out its dead siblings one by one, so after one the pool's idle
// connections are dropped and the next attempt connects afresh. A
// cancelled ctx ends the retries.
func retry[T any](ctx context.Context, s *Store, again func(error) bool, op func() (T, error)) (T, error) {
	delay := retryDelay
	reset := false
	for attempt := 1; ; attempt++ {
		v, err := op()
		if err == nil || attempt == maxAttempts || !again(err) || ctx.Err() != nil {
			return v, err
		}
		if !reset && connLost(err) {
			s.pool.Reset()
			reset = true
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return v, err
		case <-t.C:
		}
		delay *= 2
	}
}

// read retries an idempotent read on any transient failure. op returns
// errors mapped by dbError, which marks transient ones ErrUnavailable.
func read[T any](ctx context.Context, s *Store, op func() (T, error)) (T, error) {
	return retry(ctx, s, func(err error) bool { return errors.Is(err, notary.ErrUnavailable) }, op)
}

// write retries a write only when the failure proves it was not applied.
// op returns errors mapped by dbError (which keeps the driver's error in
// the chain for notApplied).
func write(ctx context.Context, s *Store, op func() error) error {
	again := func(err error) bool { return transient(err) && notApplied(err) }
	_, err := retry(ctx, s, again, func() (struct{}, error) { return struct{}{}, op() })
	return err
}
