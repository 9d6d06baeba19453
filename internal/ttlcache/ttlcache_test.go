package ttlcache

import (
	"testing"
	"time"
)

func TestGetPutExpire(t *testing.T) {
	c := New[string, int](50*time.Millisecond, 10)
	if _, ok := c.Get("a"); ok {
		t.Fatal("found a value never stored")
	}
	c.Put("a", 1, c.Generation())
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Fatalf("Get = %d, %v; want 1, true", v, ok)
	}
	time.Sleep(60 * time.Millisecond)
	if _, ok := c.Get("a"); ok {
		t.Fatal("an expired entry was found")
	}
}

func TestForgetRefusesValuesReadBefore(t *testing.T) {
	c := New[string, int](time.Minute, 10)
	c.Put("a", 1, c.Generation())
	c.Put("b", 2, c.Generation())
	gen := c.Generation() // a reader starts its lookup...
	c.Forget(func(k string, _ int) bool { return k == "a" })
	if _, ok := c.Get("a"); ok {
		t.Fatal("a forgotten entry was found")
	}
	if v, ok := c.Get("b"); !ok || v != 2 {
		t.Fatal("an entry Forget did not select was dropped")
	}
	c.Put("a", 1, gen) // ...and finishes after a writer's Forget: what it read may be stale
	if _, ok := c.Get("a"); ok {
		t.Fatal("a value looked up before Forget was stored")
	}
	c.Forget(nil)
	if _, ok := c.Get("b"); ok {
		t.Fatal("Forget(nil) kept an entry")
	}
}

func TestBounded(t *testing.T) {
	c := New[int, int](time.Minute, 3)
	for i := range 10 {
		c.Put(i, i, c.Generation())
		if n := len(c.entries); n > 3 {
			t.Fatalf("%d entries in a cache of 3", n)
		}
	}
	if v, ok := c.Get(9); !ok || v != 9 {
		t.Fatal("the newest entry is missing")
	}
}

func TestZeroTTLDisables(t *testing.T) {
	c := New[string, int](0, 10)
	c.Put("a", 1, c.Generation())
	if _, ok := c.Get("a"); ok {
		t.Fatal("a disabled cache found a value")
	}
}
