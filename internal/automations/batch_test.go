package automations

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestBatcherCoalescesConcurrentCallsAndRunsEveryID(t *testing.T) {
	var b batcher
	key := [2]uuid.UUID{uuid.New(), uuid.New()}
	var mu sync.Mutex
	seen := map[uuid.UUID]int{}
	var runs, running atomic.Int32
	fn := func(_ context.Context, ids []uuid.UUID) error {
		require.Equal(t, int32(1), running.Add(1), "one transaction at a time per agent")
		defer running.Add(-1)
		runs.Add(1)
		time.Sleep(5 * time.Millisecond) // a transaction
		mu.Lock()
		defer mu.Unlock()
		for _, id := range ids {
			seen[id]++
		}
		return nil
	}
	const callers = 200
	var wg sync.WaitGroup
	ids := make([]uuid.UUID, callers)
	for i := range callers {
		ids[i] = uuid.New()
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.NoError(t, b.do(context.Background(), key, []uuid.UUID{ids[i]}, fn))
			mu.Lock()
			defer mu.Unlock()
			require.Equal(t, 1, seen[ids[i]], "a call returns after its ids were run, once")
		}()
	}
	wg.Wait()
	require.Len(t, seen, callers)
	require.Less(t, runs.Load(), int32(callers/4), "concurrent calls share transactions")
	require.Empty(t, b.groups, "idle groups are dropped")
}

func TestBatcherGivesEveryCallerItsBatchsError(t *testing.T) {
	var b batcher
	key := [2]uuid.UUID{uuid.New(), uuid.New()}
	boom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- b.do(context.Background(), key, []uuid.UUID{uuid.New()}, func(context.Context, []uuid.UUID) error {
				time.Sleep(2 * time.Millisecond)
				return boom
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.ErrorIs(t, err, boom, "River retries every job of a failed batch")
	}
}

func TestBatcherKeepsBatchesBounded(t *testing.T) {
	var b batcher
	key := [2]uuid.UUID{uuid.New(), uuid.New()}
	var biggest atomic.Int32
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids := make([]uuid.UUID, 600)
			for i := range ids {
				ids[i] = uuid.New()
			}
			require.NoError(t, b.do(context.Background(), key, ids, func(_ context.Context, ids []uuid.UUID) error {
				if n := int32(len(ids)); n > biggest.Load() {
					biggest.Store(n)
				}
				time.Sleep(time.Millisecond)
				return nil
			}))
		}()
	}
	wg.Wait()
	require.LessOrEqual(t, biggest.Load(), int32(maxBatch))
}
