import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApi, onUnauthenticated, unwrap } from './client';
import { ApiError } from './error';

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

describe('unwrap', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('returns the data of a success and sends same-origin credentials', async () => {
    const fetch = vi.fn(async (_req: Request) => json(200, { items: [], next_cursor: 'abc' }));
    const api = createApi({ baseUrl: 'http://app.test/api/v1', fetch });
    const page = await unwrap(api.GET('/agents', { params: { query: { limit: 10 } } }));
    expect(page).toEqual({ items: [], next_cursor: 'abc' });
    const req = fetch.mock.calls[0]![0];
    expect(req.url).toBe('http://app.test/api/v1/agents?limit=10');
    expect(req.credentials).toBe('same-origin');
  });

  it('throws a typed error with the field errors of the one error shape', async () => {
    const api = createApi({
      baseUrl: 'http://app.test/api/v1',
      fetch: async () => json(400, { error: { code: 'invalid', message: 'Check the fields.', fields: { name: 'is too long' } } }),
    });
    const err = await unwrap(api.POST('/agents', { body: { name: 'x' } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).field('name')).toBe('Is too long.');
    expect((err as ApiError).status).toBe(400);
  });

  it('turns a failed fetch into a network error', async () => {
    const api = createApi({
      baseUrl: 'http://app.test/api/v1',
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    await expect(unwrap(api.GET('/me'))).rejects.toMatchObject({ code: 'network', status: 0 });
  });

  it('tells an unreadable answer from no answer', async () => {
    const api = createApi({
      baseUrl: 'http://app.test/api/v1',
      fetch: async () => new Response('<html>oops</html>', { status: 200, headers: { 'Content-Type': 'text/html' } }),
    });
    await expect(unwrap(api.GET('/me'))).rejects.toMatchObject({ code: 'internal', status: 0 });
  });

  it('returns undefined for 204 No Content', async () => {
    const api = createApi({ baseUrl: 'http://app.test/api/v1', fetch: async () => new Response(null, { status: 204 }) });
    await expect(unwrap(api.POST('/auth/signout'))).resolves.toBeUndefined();
  });

  it('tells listeners when the session is gone', async () => {
    const listener = vi.fn();
    const stop = onUnauthenticated(listener);
    const api = createApi({
      baseUrl: 'http://app.test/api/v1',
      fetch: async () => json(401, { error: { code: 'unauthenticated', message: 'Sign in.' } }),
    });
    await expect(unwrap(api.GET('/me'))).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(listener).toHaveBeenCalledTimes(1);
    stop();
    await expect(unwrap(api.GET('/me'))).rejects.toBeInstanceOf(ApiError);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('uses the global fetch at call time by default', async () => {
    const fetch = vi.fn(async () => json(200, { items: [] }));
    vi.stubGlobal('fetch', fetch);
    const api = createApi();
    await expect(unwrap(api.GET('/dev/outbox'))).resolves.toEqual({ items: [] });
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
