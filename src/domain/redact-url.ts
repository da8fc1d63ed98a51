/**
 * Passwords in URLs (`mongodb://gt:s3cret@host/db`, `nats://user:pw@a:4222,nats://user:pw@b:4222`)
 * must never reach a terminal or a log. These pure helpers find them in any text, whole URL or a
 * URL inside a longer message, whatever the scheme.
 */
export const REDACTED_PASSWORD = '***';

/**
 * `scheme://user:password@`. The user stops at `:` or `@`; the password runs to the LAST `@`
 * before the authority ends (`/ ? #`, whitespace or a quote), so an unescaped `@` in a password
 * is hidden whole: better to hide a little too much than to leak the rest of a password.
 */
const CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s"'`<>/?#@:]*)(?::([^\s"'`<>/?#]*))?@/gi;

/** NATS clients (the nats CLI, nats.go) read a lone user part (`nats://s3cret@host`) as a token. */
const TOKEN_SCHEMES = new Set(['nats://', 'tls://', 'ws://', 'wss://']);

/** `text` with the password of every URL in it replaced by `***`; the user and host stay. */
export function redactUrlPasswords(text: string): string {
  return text.replace(CREDENTIALS, (whole, scheme: string, user: string, password: string | undefined) => {
    if (password !== undefined) return `${scheme}${user}:${REDACTED_PASSWORD}@`;
    if (user && TOKEN_SCHEMES.has(scheme.toLowerCase())) return `${scheme}${REDACTED_PASSWORD}@`;
    return whole;
  });
}

/**
 * The passwords (and NATS tokens) of the URLs in `text`, as written and percent-decoded: a client
 * library may echo either form in an error, and the logger removes these values verbatim.
 */
export function urlPasswords(text: string): string[] {
  const found = new Set<string>();
  for (const [, scheme = '', user = '', password] of text.matchAll(CREDENTIALS)) {
    const secret = password ?? (TOKEN_SCHEMES.has(scheme.toLowerCase()) ? user : '');
    if (!secret) continue;
    found.add(secret);
    found.add(decoded(secret));
  }
  return [...found];
}

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value; // a malformed escape: the raw form is all there is
  }
}
