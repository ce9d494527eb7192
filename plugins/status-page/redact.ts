/**
 * An upstream's last error is text the gateway did not write (a transport's message, a server's
 * answer): before it is shown, credentials it might quote are cut out. URLs lose their user info
 * and query (where tokens travel), and `Bearer`/`Basic` credentials and `key=value` secrets go.
 */
const urlWithSecrets = /\b([a-z][a-z0-9+.-]*:\/\/)(?:[^\s/@]*@)?([^\s?#]*)(?:\?[^\s#]*)?/gi;
const authScheme = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const secretPair = /\b([\w-]*(?:token|secret|password|api[_-]?key|authorization))(["']?\s*[:=]\s*["']?)[^\s"',;]+/gi;

export function redactSecrets(text: string): string {
  return text
    .replace(urlWithSecrets, '$1$2')
    .replace(authScheme, '$1 [redacted]')
    .replace(secretPair, '$1$2[redacted]');
}
