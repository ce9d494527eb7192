/**
 * The `Origin` allow list for the MCP endpoint (MCP spec: servers must validate `Origin` to stop
 * DNS-rebinding attacks, where a web page makes a browser talk to a gateway on localhost).
 * Requests without `Origin` (non-browser clients) pass. A pattern is an exact origin, or one with
 * `*` standing for any run of characters other than `/` (`http://localhost:*`,
 * `https://*.example.com`); `*` alone allows every origin.
 */

/** The gateway's own origin plus loopback origins on any port. */
export function defaultAllowedOrigins(baseUrl: string): string[] {
  const loopback = ['http://localhost', 'http://127.0.0.1', 'http://[::1]'];
  return [new URL(baseUrl).origin, ...loopback, ...loopback.map((origin) => `${origin}:*`)];
}

export function originMatcher(patterns: readonly string[]): (origin: string | undefined) => boolean {
  if (patterns.includes('*')) return () => true;
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const wildcards = patterns
    .filter((p) => p.includes('*'))
    .map((p) => new RegExp(`^${p.split('*').map(escapeRegExp).join('[^/]*')}$`, 'i'));
  return (origin) => origin === undefined || exact.has(origin) || wildcards.some((re) => re.test(origin));
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
