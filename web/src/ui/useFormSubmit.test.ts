import { act, renderHook } from '@testing-library/react';
import type { FormEvent } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/error';
import { useFormSubmit } from './useFormSubmit';

function event(): FormEvent {
  const form = document.createElement('form');
  return { preventDefault: vi.fn(), currentTarget: form } as unknown as FormEvent;
}

describe('useFormSubmit', () => {
  it('shows local problems and sends nothing', async () => {
    const { result } = renderHook(() => useFormSubmit(['name']));
    const send = vi.fn();
    await act(() => result.current.submit(event(), { name: 'Required.' }, send));
    expect(send).not.toHaveBeenCalled();
    expect(result.current.errors).toEqual({ name: 'Required.' });
    expect(result.current.pending).toBe(false);
  });

  it('puts the server’s field errors on their fields and the rest in the message', async () => {
    const { result } = renderHook(() => useFormSubmit(['email']));
    const failure = new ApiError(409, 'conflict', 'already there', { email: 'is taken', other: 'elsewhere' });
    await act(() => result.current.submit(event(), {}, () => Promise.reject(failure)));
    expect(result.current.errors.email).toBeTruthy();
    expect(result.current.errors.other).toBeUndefined();
    expect(result.current.message).toBeTruthy();
    expect(result.current.pending).toBe(false);
  });

  it('clears earlier problems when sending succeeds', async () => {
    const { result } = renderHook(() => useFormSubmit(['name']));
    await act(() => result.current.submit(event(), { name: 'Required.' }, vi.fn()));
    const send = vi.fn().mockResolvedValue(undefined);
    await act(() => result.current.submit(event(), {}, send));
    expect(send).toHaveBeenCalledOnce();
    expect(result.current.errors).toEqual({});
    expect(result.current.message).toBeNull();
  });
});
