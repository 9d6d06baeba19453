package httpapi

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// KeyedLimiter is a token bucket per key (an IP, an email), in process memory. Buckets idle for
// longer than it takes them to refill are dropped, so memory follows the active keys only.
// Behind several API processes each process limits on its own: the effective limit is the
// per-process limit times the number of processes (docs/SECURITY.md).
type KeyedLimiter struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	limiter *rate.Limiter
	seen    time.Time
}

// NewKeyedLimiter allows burst events at once per key, refilled at one per every.
func NewKeyedLimiter(every time.Duration, burst int) *KeyedLimiter {
	return &KeyedLimiter{every: every, burst: burst, buckets: map[string]*bucket{}, swept: time.Now()}
}

// Allow takes a token for key; when none is left it reports how long until one is.
func (l *KeyedLimiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	idle := l.every * time.Duration(l.burst)
	if now.Sub(l.swept) > idle {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > idle {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, found := l.buckets[key]
	if !found {
		b = &bucket{limiter: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.limiter.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, time.Duration(math.Ceil(d.Seconds())) * time.Second
	}
	return true, 0
}
