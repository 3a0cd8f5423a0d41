package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuTime returns the CPU time used so far by this process and by the
// PostgreSQL backends serving env's pools (found by their application
// name, the schema's), or false when the backends' times cannot be read
// (PostgreSQL on another machine, or not Linux). On a machine shared with
// other work, CPU per transition moves less than transitions per second.
func (e *pgEnv) cpuTime(ctx context.Context) (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	total := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	rows, err := e.raw.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, e.schema)
	if err != nil {
		return 0, false
	}
	defer rows.Close()
	for rows.Next() {
		var pid int32
		if err := rows.Scan(&pid); err != nil {
			return 0, false
		}
		d, err := procCPU(pid)
		if err != nil {
			return 0, false
		}
		total += d
	}
	return total, rows.Err() == nil
}

// procCPU reads a process's user and system time from /proc, in clock
// ticks of 10ms (USER_HZ is 100 on every Linux PostgreSQL runs on).
func procCPU(pid int32) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command, which is in parentheses and may hold spaces.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: times %q %q", pid, f[11], f[12])
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}
