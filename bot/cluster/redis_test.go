package cluster_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/notion-check/notion-check/bot/cluster"
	"github.com/redis/go-redis/v9"
)

// redisServer is a real redis-server of this test alone: its own temp dir,
// a free loopback port, no persistence.
type redisServer struct {
	t    testing.TB
	bin  string
	dir  string
	port int

	mu  sync.Mutex
	cmd *exec.Cmd
}

// startRedis starts a redis-server for t, or skips t when the binary is not
// installed (CI installs Debian's package in .ci/run).
func startRedis(t testing.TB) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed (Debian: apt-get install redis-server; .ci/run installs it): the Redis tests cannot run")
	}
	s := &redisServer{t: t, bin: bin, dir: t.TempDir(), port: freePort(t)}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("no free loopback port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (s *redisServer) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", s.port) }

// start runs redis-server and waits until it answers PING.
func (s *redisServer) start() {
	s.t.Helper()
	cmd := exec.Command(s.bin, "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir, "--daemonize", "no",
		"--logfile", filepath.Join(s.dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start redis-server: %v", err)
	}
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
	rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", s.port), MaxRetries: -1})
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

// stop kills redis-server (SIGKILL: nothing is saved, as in a crash).
func (s *redisServer) stop() {
	s.mu.Lock()
	cmd := s.cmd
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
}

// client is a raw client, to look at what the package stored.
func (s *redisServer) client(t *testing.T) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", s.port)})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// newCluster makes a Cluster for t and closes it at the end.
func newCluster(t *testing.T, opts cluster.Options) *cluster.Cluster {
	t.Helper()
	c, err := cluster.New(context.Background(), opts)
	if err != nil {
		t.Fatalf("cluster.New: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// replicas returns two Clusters sharing one state: two Redis clients of one
// server ("redis"), or one in-memory Cluster standing for both ("memory").
type backend struct {
	name string
	make func(t *testing.T, opts cluster.Options) [2]*cluster.Cluster
}

var backends = []backend{
	{"memory", func(t *testing.T, opts cluster.Options) [2]*cluster.Cluster {
		c := newCluster(t, opts)
		return [2]*cluster.Cluster{c, c}
	}},
	{"redis", func(t *testing.T, opts cluster.Options) [2]*cluster.Cluster {
		s := startRedis(t)
		opts.URL = s.url()
		a, b := opts, opts
		a.Consumer, b.Consumer = "replica-a", "replica-b"
		return [2]*cluster.Cluster{newCluster(t, a), newCluster(t, b)}
	}},
}

// testCtx bounds a test against hangs only.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
