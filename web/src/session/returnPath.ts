/** Where to go after signing in: the page that sent the user here, if it is one of ours. */
export function returnPath(state: unknown): string {
  const next = (state as { next?: unknown } | null)?.next;
  if (typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/signin')) {
    return next;
  }
  return '/agents';
}
