package cluster_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/notion-check/notion-check/bot/cluster"
	"github.com/notion-check/notion-check/bot/cluster/redistest"
	"github.com/redis/go-redis/v9"
)

// startRedis starts a redis-server for t without persistence: a restart
// loses everything, as a crash of an unpersisted Redis does.
func startRedis(t testing.TB) *redistest.Server { return redistest.Start(t, redistest.Options{}) }

// freePort is a loopback port where no Redis listens.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("no free loopback port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// rawClient is a raw client of s, to look at what the package stored.
func rawClient(t *testing.T, s *redistest.Server) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr()})
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
		opts.URL = s.URL(0)
		if opts.Timeout == 0 {
			// These tests are about what replicas share, not about a slow
			// Redis: on a CPU-starved run (-race, load 10 on 2 CPUs) a dial
			// past the default 500 ms made a replica fall back to its own
			// state and see a delivery "first" as well.
			opts.Timeout = 5 * time.Second
		}
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
