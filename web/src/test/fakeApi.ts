import { vi } from 'vitest';

type Handler = (req: Request, body: unknown) => Response | Promise<Response>;

export function json(status: number, body?: unknown): Response {
  if (body === undefined) return new Response(null, { status });
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

export function apiError(status: number, code: string, message: string, fields?: Record<string, string>): Response {
  return json(status, { error: { code, message, ...(fields ? { fields } : {}) } });
}

/**
 * Stubs global fetch with routes keyed "METHOD /path" (path below /api/v1, without the query).
 * Unrouted requests fail the test loudly with a 599.
 */
export function fakeApi(routes: Record<string, Handler>) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  const fetch = vi.fn(async (input: Request) => {
    const url = new URL(input.url);
    const path = url.pathname.replace(/^\/api\/v1/, '');
    const text = await input.text();
    // JSON, or the raw text of another body (a multipart upload).
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = text;
      }
    }
    calls.push({ method: input.method, path, body });
    const handler = routes[`${input.method} ${path}`];
    if (!handler) return apiError(599, 'unrouted', `no fake for ${input.method} ${path}`);
    return handler(input, body);
  });
  vi.stubGlobal('fetch', fetch);
  return { fetch, calls };
}

export const session = {
  user: { id: '00000000-0000-7000-8000-000000000001', name: 'Ada Lovelace', email: 'ada@example.com' },
  workspaces: [
    { id: '00000000-0000-7000-8000-0000000000a1', name: 'Analytical', role: 'owner' },
    { id: '00000000-0000-7000-8000-0000000000a2', name: 'Difference', role: 'admin' },
  ],
  current_workspace_id: '00000000-0000-7000-8000-0000000000a1',
};

export const agent = {
  id: '00000000-0000-7000-8000-0000000000b1',
  name: 'Support bot',
  visibility: 'private',
  access_mode: 'free',
  created_at: '2025-01-01T10:00:00Z',
  updated_at: '2025-01-01T10:00:00Z',
};
