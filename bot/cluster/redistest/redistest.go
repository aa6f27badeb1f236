// Package redistest runs a real redis-server for a test: its own temporary
// directory and a free loopback port, started and stopped by the test. It
// is only for tests; a test that needs Redis is skipped, saying why, where
// the redis-server binary is not installed (.ci/run installs Debian's).
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Options set up a Server.
type Options struct {
	// AppendOnly keeps the data in an append-only file synced on every
	// write, so that a restart keeps it (as the README advises for
	// production); otherwise nothing is persisted.
	AppendOnly bool
}

// Server is one redis-server of one test.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	opts Options

	mu  sync.Mutex
	cmd *exec.Cmd
}

// Start starts a redis-server for t and stops it when t ends, or skips t
// when the binary is not installed.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed (Debian: apt-get install redis-server; .ci/run installs it): this test needs a real Redis")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("no free loopback port: %v", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := &Server{t: t, bin: bin, dir: t.TempDir(), port: port, opts: opts}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return fmt.Sprintf("127.0.0.1:%d", s.port) }

// URL is the redis:// URL of database db.
func (s *Server) URL(db int) string { return fmt.Sprintf("redis://%s/%d", s.Addr(), db) }

// Start (re)starts redis-server on the same port and directory and waits
// until it answers PING.
func (s *Server) Start() {
	s.t.Helper()
	persist := []string{"--appendonly", "no"}
	if s.opts.AppendOnly {
		persist = []string{"--appendonly", "yes", "--appendfsync", "always"}
	}
	args := append([]string{"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--save", ""}, persist...)
	args = append(args, "--dir", s.dir, "--daemonize", "no", "--logfile", filepath.Join(s.dir, "redis.log"))
	cmd := exec.Command(s.bin, args...)
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start redis-server: %v", err)
	}
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1})
	defer rdb.Close()
	deadline := time.Now().Add(15 * time.Second) // only against a hang
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			s.t.Fatalf("redis-server on port %d does not answer: %v\n%s", s.port, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Kill ends redis-server with SIGKILL: nothing is flushed, as in a crash.
func (s *Server) Kill() {
	if cmd := s.take(); cmd != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}

// Stop ends redis-server with SIGTERM (it flushes its append-only file),
// and kills it if it has not ended 10 s later.
func (s *Server) Stop() {
	cmd := s.take()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

func (s *Server) take() *exec.Cmd {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd := s.cmd
	s.cmd = nil
	return cmd
}
