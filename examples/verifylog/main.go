// Command verifylog checks a notary office's transparency-log evidence
// offline, with nothing but the office's public verifier key: no database,
// no network, no trust in the office's servers.
//
//	verifylog -key 'notary.example.com/log+1a2b3c4d+AW...' -bundle application.json
//	verifylog -key KEY series-2026-11.json series-2026-12.json
//	verifylog -key KEY -bundle application.json series.json
//
// A bundle (translog.Bundle, served to a record's owner) is checked for
// the checkpoint's signature, the record's hash chain up to its head and
// state, and each event's inclusion proof. Series files (translog.Series,
// the office's public checkpoints with consistency proofs) are followed in
// order by one monitor, which detects a fork, a truncation or a rewritten
// log across all of them; the bundle's checkpoint must agree with them.
// -key may be repeated (the office's keys before and after a rotation).
//
// The exit status is 0 when everything verifies, 1 when evidence of
// tampering was found (the message says what broke), 2 for unusable input.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/notarykit/notarykit/notary/translog"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

type keyList []string

func (k *keyList) String() string     { return strings.Join(*k, ",") }
func (k *keyList) Set(v string) error { *k = append(*k, v); return nil }

// run is the command with its arguments and outputs, returning the exit
// status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verifylog", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var keys keyList
	fs.Var(&keys, "key", "the office's verifier key, origin+hash+base64 (repeatable)")
	keyFile := fs.String("keyfile", "", "a file holding verifier keys, one per line")
	bundlePath := fs.String("bundle", "", "a record's verification bundle (JSON)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *keyFile != "" {
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			fmt.Fprintln(stderr, "verifylog:", err)
			return 2
		}
		for line := range strings.Lines(string(b)) {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				keys = append(keys, line)
			}
		}
	}
	if *bundlePath == "" && fs.NArg() == 0 {
		fmt.Fprintln(stderr, "verifylog: nothing to verify: give -bundle and/or series files")
		fs.Usage()
		return 2
	}
	verifiers, err := translog.Verifiers(keys...)
	if err != nil {
		return report(stderr, err)
	}

	m := translog.NewMonitor(verifiers)
	for _, path := range fs.Args() {
		s, err := readSeries(path)
		if err != nil {
			return report(stderr, err)
		}
		cps, err := m.VerifySeries(s)
		if err != nil {
			return report(stderr, fmt.Errorf("%s: %w", path, err))
		}
		if len(cps) > 0 {
			fmt.Fprintf(stdout, "series %s: %d checkpoints of %s, sizes %d to %d: signed, consistent, no fork, no truncation\n",
				path, len(cps), cps[0].Origin, cps[0].Size, cps[len(cps)-1].Size)
		}
	}
	if latest, ok := m.Latest(); ok {
		fmt.Fprintf(stdout, "latest checkpoint: size %d, root %s\n", latest.Size, latest.Root)
	}

	if *bundlePath != "" {
		f, err := os.Open(*bundlePath)
		if err != nil {
			fmt.Fprintln(stderr, "verifylog:", err)
			return 2
		}
		b, err := translog.ReadBundle(f)
		f.Close()
		if err != nil {
			return report(stderr, fmt.Errorf("%s: %w", *bundlePath, err))
		}
		rep, err := translog.VerifyBundle(b, verifiers)
		if err == nil && b.Checkpoint != "" {
			err = m.Check(rep.Checkpoint)
		}
		if err != nil {
			return report(stderr, fmt.Errorf("%s: %w", *bundlePath, err))
		}
		fmt.Fprintf(stdout, "bundle %s: %s %s, state %q: %d events, hash chain intact up to its head\n",
			*bundlePath, b.Record.Kind, b.Record.ID, b.Record.State, len(b.Events))
		fmt.Fprintf(stdout, "  %d in the log under the signed checkpoint of size %d", rep.Logged, rep.Checkpoint.Size)
		if rep.Pending > 0 {
			fmt.Fprintf(stdout, "; %d not yet logged when the bundle was made", rep.Pending)
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintln(stdout, "OK")
	return 0
}

func readSeries(path string) (translog.Series, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return translog.Series{}, err
	}
	var s translog.Series
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s: %w: %v", path, translog.ErrMalformed, err)
	}
	return s, nil
}

// kinds names what broke, for the message.
var kinds = []struct {
	err  error
	what string
}{
	{translog.ErrBadSignature, "a checkpoint is not signed by the office's key"},
	{translog.ErrEventEdited, "an audit event, the record's chain or its state was edited"},
	{translog.ErrLeafMismatch, "an event is not in the log where its proof says"},
	{translog.ErrInconsistent, "the log was rewritten: a checkpoint does not extend an earlier one"},
	{translog.ErrTruncated, "the log was truncated"},
	{translog.ErrFork, "the log forked: two signed roots for one size"},
	{translog.ErrRecordDeleted, "a logged record was deleted"},
}

// report prints err and returns the exit status it calls for.
func report(stderr io.Writer, err error) int {
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			fmt.Fprintf(stderr, "verifylog: TAMPERED: %s\n  %v\n", k.what, err)
			return 1
		}
	}
	fmt.Fprintln(stderr, "verifylog:", err)
	return 2
}
