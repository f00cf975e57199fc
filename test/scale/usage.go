package scale

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of /proc/PID/stat's CPU times (USER_HZ), 100 on
// every Linux this runs on.
const clockTick = 10 * time.Millisecond

// Proc is one reading of a process's memory and CPU from /proc.
type Proc struct {
	// At is when it was read.
	At time.Time
	// RSS is its resident memory now (VmRSS), in bytes.
	RSS int64
	// HWM is the most resident memory it ever had (VmHWM), in bytes.
	HWM int64
	// CPU is the CPU time it has used, user and system.
	CPU time.Duration
}

// ReadProc reads process pid's memory from /proc/PID/status and its CPU
// time from /proc/PID/stat.
func ReadProc(pid int) (Proc, error) {
	p := Proc{At: time.Now()}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return p, fmt.Errorf("failed to read the status of process %d: %w", pid, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		if err != nil {
			return p, fmt.Errorf("failed to read %s of process %d: %w", key, pid, err)
		}
		if key == "VmRSS" {
			p.RSS = kb << 10
		} else {
			p.HWM = kb << 10
		}
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return p, fmt.Errorf("failed to read the stat of process %d: %w", pid, err)
	}
	// The command name, in parentheses, may hold spaces: fields count from
	// after its closing parenthesis, utime and stime being the 14th and 15th.
	rest := stat[bytes.LastIndexByte(stat, ')')+1:]
	fields := strings.Fields(string(rest))
	if len(fields) < 13 {
		return p, fmt.Errorf("failed to read the stat of process %d: %d fields", pid, len(fields))
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return p, fmt.Errorf("failed to read the CPU time of process %d: %w", pid, err)
		}
		ticks += n
	}
	p.CPU = time.Duration(ticks) * clockTick
	return p, nil
}

// Usage is what a process used over a window.
type Usage struct {
	// Window is how long it was measured.
	Window time.Duration `json:"window"`
	// RSS is the median of its resident memory, read every second.
	RSS int64 `json:"rss"`
	// MaxRSS is the highest of those readings.
	MaxRSS int64 `json:"maxRSS"`
	// HWM is its peak resident memory since it started, at the window's end.
	HWM int64 `json:"hwm"`
	// CPU is the CPU it used, in cores (CPU seconds per second).
	CPU float64 `json:"cpu"`
	// Writes is its accepted and refused writes per second, counted in the
	// audit log by its user.
	Writes float64 `json:"writes"`
	// Requests is every request per second it made, reads included, by its
	// own client metrics.
	Requests float64 `json:"requests"`
}

// usageOf turns the readings of a window into a Usage; writes and
// requests are counts over the window.
func usageOf(readings []Proc, writes int, requests float64) Usage {
	if len(readings) < 2 {
		return Usage{}
	}
	first, last := readings[0], readings[len(readings)-1]
	u := Usage{Window: last.At.Sub(first.At), HWM: last.HWM}
	rss := make([]float64, len(readings))
	for i, r := range readings {
		rss[i] = float64(r.RSS)
		u.MaxRSS = max(u.MaxRSS, r.RSS)
	}
	u.RSS = int64(Median(rss))
	if secs := u.Window.Seconds(); secs > 0 {
		u.CPU = (last.CPU - first.CPU).Seconds() / secs
		u.Writes = float64(writes) / secs
		u.Requests = requests / secs
	}
	return u
}

// MiB is bytes in mebibytes.
func MiB(b int64) float64 { return float64(b) / (1 << 20) }

// String says it in one line.
func (u Usage) String() string {
	return fmt.Sprintf("RSS %.0f MiB (max %.0f, peak %.0f), CPU %.3f cores, %.1f writes/s, %.1f requests/s over %s",
		MiB(u.RSS), MiB(u.MaxRSS), MiB(u.HWM), u.CPU, u.Writes, u.Requests, u.Window.Round(time.Second))
}
