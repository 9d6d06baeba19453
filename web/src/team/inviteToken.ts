/**
 * The token of an invitation link, `<base>/invite#<token>`. The token rides in the fragment,
 * which browsers never send to a server, so it stays out of server and proxy logs. Accepts
 * `#token=<token>` too, and tolerates percent-encoding and stray whitespace from mail clients.
 */
export function inviteToken(hash: string): string | null {
  let raw = hash.startsWith('#') ? hash.slice(1) : hash;
  raw = raw.trim();
  if (raw.startsWith('token=')) raw = raw.slice('token='.length);
  try {
    raw = decodeURIComponent(raw);
  } catch {
    // Not valid percent-encoding: use it as it is; the server decides whether it is a token.
  }
  raw = raw.trim();
  return raw === '' ? null : raw;
}
