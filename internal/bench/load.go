package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/newsdex/newsdex/api"
	"github.com/newsdex/newsdex/search"
)

// Load is the outcome of an HTTP load run.
type Load struct {
	Conns     int     `json:"conns"`
	Seconds   float64 `json:"seconds"`
	Requests  int     `json:"requests"`
	Errors    int     `json:"errors"`
	ReqPerSec float64 `json:"req_per_s"`
	Latency   Latency `json:"latency"`
	// FirstError describes the first failed request, if any.
	FirstError string `json:"first_error,omitempty"`
	// Server says what answered: "in-process" or the serve command line.
	Server string `json:"server"`
	// RSSMB and PeakRSSMB are the serve process's resident set after the
	// load and its high-water mark (only for a separate serve process).
	RSSMB     float64 `json:"rss_mb,omitempty"`
	PeakRSSMB float64 `json:"peak_rss_mb,omitempty"`
}

// runLoad sends GET /v1/search?q=... for each query in turn from conns
// closed-loop clients, each on its own keep-alive connection, for d after
// a short warm-up, and times every request.
func runLoad(ctx context.Context, base string, queries []string, conns int, d time.Duration) Load {
	tr := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	urls := make([]string, len(queries))
	for i, q := range queries {
		urls[i] = base + "/v1/search?mode=lexical&q=" + url.QueryEscape(q)
	}
	get := func(u string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", u, resp.Status)
		}
		return nil
	}
	// Warm-up: open the connections and touch every query once.
	var wg sync.WaitGroup
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = get(urls[w%len(urls)])
		}()
	}
	wg.Wait()

	ld := Load{Conns: conns}
	var mu sync.Mutex
	var lat []time.Duration
	start, cpu0 := time.Now(), cpuTime()
	deadline := start.Add(d)
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			errs := 0
			first := ""
			for i := w; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				t := time.Now()
				if err := get(urls[i%len(urls)]); err != nil {
					errs++
					if first == "" {
						first = err.Error()
					}
					continue
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			lat = append(lat, mine...)
			ld.Errors += errs
			if ld.FirstError == "" {
				ld.FirstError = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	cpu := cpuTime() - cpu0
	ld.Seconds = time.Since(start).Seconds()
	ld.Requests = len(lat) + ld.Errors
	ld.ReqPerSec = float64(len(lat)) / ld.Seconds
	ld.Latency = summarise(lat)
	if ld.Requests > 0 {
		// This process's CPU: server and clients when the server runs
		// in-process (loadServe clears it: the clients alone).
		ld.Latency.CPUMS = ms(cpu) / float64(ld.Requests)
	}
	return ld
}

// loadInProcess serves the API over eng on a free loopback port in this
// process and loads it.
func loadInProcess(ctx context.Context, c Config, eng *search.Engine, queries []string) (Load, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Load{}, fmt.Errorf("bench: listen: %w", err)
	}
	srv := &http.Server{Handler: api.New(eng, slog.New(slog.DiscardHandler), api.Options{}).Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	ld := runLoad(ctx, "http://"+ln.Addr().String(), queries, c.Conns, c.HTTPDuration)
	ld.Server = "in-process"
	return ld, nil
}

// loadServe starts `c.ServeBin serve` on dir and loads it for d.
func loadServe(ctx context.Context, c Config, dir string, queries []string, d time.Duration) (Load, error) {
	s, err := startServe(ctx, c.ServeBin, dir)
	if err != nil {
		return Load{}, err
	}
	defer s.stop()
	ld := runLoad(ctx, s.base, queries, c.Conns, d)
	ld.Latency.CPUMS = 0
	ld.Server = s.cmdline
	ld.RSSMB, ld.PeakRSSMB = s.rss()
	return ld, nil
}

// server is a `newsdex serve` child process.
type server struct {
	cmd     *exec.Cmd
	base    string
	cmdline string
	logf    *os.File
	exited  chan error // receives cmd.Wait's result once
}

// startServe runs bin serve on dir at a free loopback port and waits until
// it answers /healthz. Its log goes to serve.log beside dir.
func startServe(ctx context.Context, bin, dir string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: find a free port: %w", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	logFile, err := os.Create(filepath.Join(filepath.Dir(dir), filepath.Base(dir)+".serve.log"))
	if err != nil {
		return nil, fmt.Errorf("bench: serve log: %w", err)
	}
	cmd := exec.Command(bin, "serve", "--index", dir, "--addr", addr)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(os.Environ(), "GIN_MODE=release")
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("bench: start %s serve: %w", bin, err)
	}
	s := &server{cmd: cmd, base: "http://" + addr, cmdline: strings.Join(cmd.Args, " "), logf: logFile, exited: make(chan error, 1)}
	go func() { s.exited <- cmd.Wait() }()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.exited:
			logFile.Close()
			return nil, fmt.Errorf("bench: %s exited before answering: %v (see %s)", s.cmdline, err, logFile.Name())
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
	}
	s.stop()
	return nil, errors.New("bench: serve did not answer /healthz within 2 minutes")
}

// rss returns the current and peak resident set of the server in MB.
func (s *server) rss() (cur, peak float64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[0], 64)
		switch k {
		case "VmRSS":
			cur = kb / 1000
		case "VmHWM":
			peak = kb / 1000
		}
	}
	return cur, peak
}

// stop asks the server to shut down and kills it if it does not.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.logf.Close()
}
