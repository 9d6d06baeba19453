// Package ttlcache is a small in-process cache whose entries live for a fixed time: what the
// app keeps of a credential it has just checked (a session, an agent key), so that a burst of
// requests with one credential costs one lookup, not one each.
//
// Invalidation is by generation: a writer that changes what entries were made from calls
// Forget after its transaction commits, and a reader that looked the value up before that
// commit cannot store what it read (Put with the generation taken before the lookup is
// refused). Entries are also bounded in number: a full cache first drops its expired entries
// and, if that frees nothing, starts over empty.
package ttlcache

import (
	"sync"
	"time"
)

// Cache maps K to V for TTL after each Put. The zero TTL disables it: Get never finds.
type Cache[K comparable, V any] struct {
	ttl time.Duration
	max int

	mu      sync.Mutex
	gen     uint64
	entries map[K]entry[V]
}

type entry[V any] struct {
	value V
	until time.Time
}

// New returns a cache of at most max entries, each kept for ttl.
func New[K comparable, V any](ttl time.Duration, max int) *Cache[K, V] {
	return &Cache[K, V]{ttl: ttl, max: max, entries: map[K]entry[V]{}}
}

// Get returns the value stored for k if it has not expired.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	var zero V
	if c.ttl <= 0 {
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || time.Now().After(e.until) {
		return zero, false
	}
	return e.value, true
}

// Generation is taken before looking up what will be stored, and passed to Put.
func (c *Cache[K, V]) Generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// Put stores v for k, unless Forget was called since gen was taken (v may predate it).
func (c *Cache[K, V]) Put(k K, v V, gen uint64) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	now := time.Now()
	if len(c.entries) >= c.max {
		for key, e := range c.entries {
			if now.After(e.until) {
				delete(c.entries, key)
			}
		}
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
	}
	c.entries[k] = entry[V]{value: v, until: now.Add(c.ttl)}
}

// Forget drops the entries for which drop returns true (all of them when drop is nil), and
// refuses every Put of a value looked up before this call.
func (c *Cache[K, V]) Forget(drop func(K, V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.entries {
		if drop == nil || drop(k, e.value) {
			delete(c.entries, k)
		}
	}
}
