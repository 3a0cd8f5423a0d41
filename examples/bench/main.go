// Command bench measures notarykit against the raw database and bare
// stateless, side by side in one run, and prints the ratios the project's
// performance goals are stated in.
//
//	go run ./examples/bench            # full run (1M-record queues), a few minutes
//	go run ./examples/bench -quick     # under a minute (100k-record queues)
//	go run ./examples/bench -json      # one JSON object on stdout
//	go run ./examples/bench -only console  # the console's dashboard and search, 1M vs 10k
//
// PostgreSQL comes from -postgres or NOTARYKIT_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable); every run uses
// a fresh schema and drops it afterwards.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"text/tabwriter"
	"time"
)

// Report is what one run measured.
type Report struct {
	Quick bool `json:"quick"`

	PgVsRawRatio   float64            `json:"pg_vs_raw_ratio"` // at 8 workers
	PgVsRawByConc  map[string]float64 `json:"pg_vs_raw_ratio_by_workers"`
	PgTPS          map[string]float64 `json:"pg_transitions_per_s"`
	RawTPS         map[string]float64 `json:"raw_transitions_per_s"`
	MemTransitionN float64            `json:"mem_transition_ns"`
	StatelessN     float64            `json:"stateless_fire_ns"`
	MemVsStateless float64            `json:"mem_vs_stateless_ratio"`
	RelayPerS      float64            `json:"relay_notices_per_s"`
	QueuePage      map[string]float64 `json:"queue_page_ratio"` // per store
	QueueTimes     map[string]string  `json:"queue_page_times"`
	BytesPerRecord float64            `json:"bytes_per_record"`

	// The transparency log (translog.go).
	LogOnTPS      float64 `json:"log_on_transitions_per_s"`
	LogOffTPS     float64 `json:"log_off_transitions_per_s"`
	LogOnOffRatio float64 `json:"log_on_off_ratio"`
	SequencedPerS float64 `json:"log_sequenced_events_per_s"`
	// CPU (this process's and its PostgreSQL backends') per transition,
	// and off/on: the share of throughput the log costs on a saturated
	// machine, steadier than the throughput ratio on a shared one.
	LogCPUOnUS       float64 `json:"log_on_cpu_us_per_transition"`
	LogCPUOffUS      float64 `json:"log_off_cpu_us_per_transition"`
	LogCPURatio      float64 `json:"log_on_off_cpu_ratio"`
	ProofSmallNS     float64 `json:"log_proof_10k_ns"`
	ProofLargeNS     float64 `json:"log_proof_large_ns"`
	ProofLargeLeaves int     `json:"log_proof_large_leaves"`
	ProofRatio       float64 `json:"log_proof_ratio"`

	// Host events (hostevents.go).
	HostOnTPS      float64 `json:"host_events_on_transitions_per_s"`
	HostOffTPS     float64 `json:"host_events_off_transitions_per_s"`
	HostOnOffRatio float64 `json:"host_events_on_off_ratio"`
	HostCPUOnUS    float64 `json:"host_events_on_cpu_us_per_transition"`
	HostCPUOffUS   float64 `json:"host_events_off_cpu_us_per_transition"`
	HostCPURatio   float64 `json:"host_events_on_off_cpu_ratio"`
	// The same with one host endpoint, whose delivery every event commits.
	HostEndpointOnOffRatio float64 `json:"host_events_endpoint_on_off_ratio"`
	HostEndpointCPURatio   float64 `json:"host_events_endpoint_on_off_cpu_ratio"`
	WebhooksPerS           float64 `json:"webhook_deliveries_per_s"`

	// The review console (console.go): large/small per store.
	ConsoleStats  map[string]float64 `json:"console_stats_ratio,omitempty"`
	ConsoleSearch map[string]float64 `json:"console_search_ratio,omitempty"`
	ConsoleTimes  map[string]string  `json:"console_times,omitempty"`
}

func main() {
	quick := flag.Bool("quick", false, "smaller data and shorter runs (under a minute)")
	asJSON := flag.Bool("json", false, "print one JSON object on stdout")
	pgURL := flag.String("postgres", envOr("NOTARYKIT_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"), "PostgreSQL URL")
	only := flag.String("only", "", "run one part: pg, mem, relay, queue, bytes, log, hostevents, console (or webhooks: its webhook deliveries alone, no PostgreSQL)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	dur := flag.Duration("duration", 0, "how long each throughput comparison runs (default 6s, 2s with -quick); longer steadies ratios on a busy machine")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	logw := io.Writer(os.Stderr)
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))

	ctx := context.Background()
	r := Report{Quick: *quick}
	cfg := config{quick: *quick, dur: *dur, pgURL: *pgURL, log: logw}
	run := func(name string, f func(context.Context, config, *Report) error) {
		if *only != "" && *only != name {
			return
		}
		start := time.Now()
		fmt.Fprintf(logw, "bench: %s…\n", name)
		if err := f(ctx, cfg, &r); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", name, err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
		fmt.Fprintf(logw, "bench: %s done in %s\n", name, time.Since(start).Round(time.Millisecond))
	}
	run("mem", benchMemory)
	run("bytes", benchBytes)
	run("pg", benchPostgres)
	run("relay", benchRelay)
	run("queue", benchQueues)
	run("log", benchLog)
	run("console", benchConsole)
	run("hostevents", func(ctx context.Context, c config, r *Report) error {
		if err := benchWebhooks(ctx, c, r); err != nil {
			return err
		}
		return benchHostEventsOnOff(ctx, c, r)
	})
	if *only == "webhooks" {
		run("webhooks", benchWebhooks)
	}

	if tmp != "" {
		os.RemoveAll(tmp)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(r)
		return
	}
	printTable(os.Stdout, r)
}

type config struct {
	quick bool
	dur   time.Duration // -duration; 0 for the default
	pgURL string
	log   io.Writer
}

// duration is how long a throughput measurement runs, all its slices
// together.
func (c config) duration() time.Duration {
	if c.dur > 0 {
		return c.dur
	}
	if c.quick {
		return 2 * time.Second
	}
	return 6 * time.Second
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func printTable(w io.Writer, r Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "metric\tvalue\tgoal")
	fmt.Fprintf(tw, "pg_vs_raw_ratio (8 workers)\t%.2f\t>= 0.85\n", r.PgVsRawRatio)
	for _, k := range []string{"1", "8", "32"} {
		if v, ok := r.PgVsRawByConc[k]; ok {
			fmt.Fprintf(tw, "  %s workers: notarykit / raw transitions/s\t%.0f / %.0f = %.2f\t\n", k, r.PgTPS[k], r.RawTPS[k], v)
		}
	}
	fmt.Fprintf(tw, "mem_vs_stateless_ratio\t%.1f (%.0f ns / %.0f ns)\t<= 20\n", r.MemVsStateless, r.MemTransitionN, r.StatelessN)
	fmt.Fprintf(tw, "relay_notices_per_s\t%.0f\t>= 5000\n", r.RelayPerS)
	for _, k := range []string{"postgres", "sqlite"} {
		if v, ok := r.QueuePage[k]; ok {
			fmt.Fprintf(tw, "queue_page_ratio (%s)\t%.2f (%s)\t<= 2\n", k, v, r.QueueTimes[k])
		}
	}
	fmt.Fprintf(tw, "bytes_per_record (memory store)\t%.0f\t\n", r.BytesPerRecord)
	if r.LogOffTPS > 0 {
		fmt.Fprintf(tw, "log_on_off_ratio (pg, 8 workers)\t%.2f (%.0f / %.0f transitions/s)\t>= 0.95\n", r.LogOnOffRatio, r.LogOnTPS, r.LogOffTPS)
		if r.LogCPUOnUS > 0 {
			fmt.Fprintf(tw, "log_on_off_cpu_ratio (pg, CPU per transition off / on)\t%.2f (%.0f / %.0f µs)\t\n", r.LogCPURatio, r.LogCPUOffUS, r.LogCPUOnUS)
		}
		fmt.Fprintf(tw, "log_sequenced_events_per_s (pg)\t%.0f\t>= 10000\n", r.SequencedPerS)
	}
	if r.ProofSmallNS > 0 {
		fmt.Fprintf(tw, "log_proof_ratio (%d vs 10k leaves)\t%.2f (%.0f ns / %.0f ns)\t<= 2\n", r.ProofLargeLeaves, r.ProofRatio, r.ProofLargeNS, r.ProofSmallNS)
	}
	if r.HostOffTPS > 0 {
		fmt.Fprintf(tw, "host_events_on_off_ratio (pg, 8 workers)\t%.2f (%.0f / %.0f transitions/s)\t>= 0.95\n", r.HostOnOffRatio, r.HostOnTPS, r.HostOffTPS)
		if r.HostCPUOnUS > 0 {
			fmt.Fprintf(tw, "host_events_on_off_cpu_ratio (pg, CPU per transition off / on)\t%.2f (%.0f / %.0f µs)\t\n", r.HostCPURatio, r.HostCPUOffUS, r.HostCPUOnUS)
		}
		fmt.Fprintf(tw, "host_events_endpoint_on_off_ratio (pg, one endpoint's delivery too)\t%.2f (CPU %.2f)\t\n", r.HostEndpointOnOffRatio, r.HostEndpointCPURatio)
	}
	if r.WebhooksPerS > 0 {
		fmt.Fprintf(tw, "webhook_deliveries_per_s (memory, local receiver)\t%.0f\t\n", r.WebhooksPerS)
	}
	for _, k := range []string{"postgres", "sqlite"} {
		if v, ok := r.ConsoleStats[k]; ok {
			fmt.Fprintf(tw, "console_stats_ratio (%s, 1M vs 10k applications)\t%.2f\t<= 2\n", k, v)
			fmt.Fprintf(tw, "console_search_ratio (%s, 1M vs 10k applications)\t%.2f (%s)\t<= 2\n", k, r.ConsoleSearch[k], r.ConsoleTimes[k])
		}
	}
	tw.Flush()
}

var tmp string

// tempDir is one temporary folder for the run, removed at exit.
func tempDir() string {
	if tmp == "" {
		var err error
		if tmp, err = os.MkdirTemp("", "notarykit-bench-"); err != nil {
			panic(err)
		}
	}
	return tmp
}
