import { act, renderHook, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { toApiError } from '../api/error';
import { useResource } from './useResource';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('useResource', () => {
  it('loads, keeps data while reloading, and reports errors as ApiErrors', async () => {
    const loads: ReturnType<typeof deferred<number>>[] = [];
    const load = () => {
      const d = deferred<number>();
      loads.push(d);
      return d.promise;
    };
    const { result } = renderHook(() => useResource(load, 'k'));
    expect(result.current.status).toBe('loading');
    await act(async () => loads[0]!.resolve(1));
    expect(result.current).toMatchObject({ status: 'ready', data: 1, refreshing: false });

    act(() => result.current.reload());
    await waitFor(() => expect(result.current.refreshing).toBe(true));
    expect(result.current).toMatchObject({ status: 'ready', data: 1 });
    await act(async () => loads[1]!.reject(toApiError(500, undefined)));
    expect(result.current.status).toBe('error');
    expect(result.current.error?.code).toBe('internal');
  });

  it('drops the answer of a superseded load', async () => {
    const first = deferred<string>();
    const second = deferred<string>();
    let n = 0;
    const { result, rerender } = renderHook(({ k }) => useResource(() => (n++ === 0 ? first.promise : second.promise), k), {
      initialProps: { k: 'a' },
    });
    rerender({ k: 'b' });
    await act(async () => second.resolve('b'));
    await act(async () => first.resolve('a'));
    expect(result.current.data).toBe('b');
  });
});
