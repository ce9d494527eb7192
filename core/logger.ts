/**
 * The gateway's logger: pino, JSON by default (one object per line, for log shippers), or text
 * for humans (pino-pretty, written synchronously so that nothing is lost at exit). Credentials
 * are redacted wherever they appear under a known name, so that a debug log can be shared.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'json' | 'text';

/** Keys whose values never reach a log line, at any of these depths. */
const secretKeys = ['authorization', 'Authorization', 'cookie', 'token', 'access_token', 'password', 'secret', 'client_secret', 'x-api-key', 'api_key'];
const redactPaths = secretKeys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `headers["${key}"]`, `*.headers["${key}"]`]);

export interface LoggerOptions {
  readonly level: string;
  readonly format: LogFormat;
  /** Values to blank wherever they appear in a line (configured secrets). */
  readonly secrets?: readonly string[];
  /** Where lines go (default stdout); tests pass a stream to read them. */
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const blank = blanker(options.secrets ?? []);
  const base = {
    level: options.level,
    base: { service: 'mcp-gateway' },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(blank && { hooks: { streamWrite: blank } }),
  };
  if (options.format === 'text') {
    const stream = pretty({ sync: true, colorize: false, singleLine: true, ignore: 'pid,hostname,service', destination: options.destination ?? 1 });
    return pino(base, stream);
  }
  return pino(base, options.destination ?? pino.destination({ sync: false }));
}

/** Replaces every secret (as written, and as JSON escapes it) in a log line; undefined when there is none. */
function blanker(secrets: readonly string[]): ((line: string) => string) | undefined {
  const forms = [...new Set(secrets.flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]))]
    .sort((a, b) => b.length - a.length)
    .map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (forms.length === 0) return undefined;
  const pattern = new RegExp(forms.join('|'), 'g');
  return (line) => line.replace(pattern, '[redacted]');
}

export type { Logger };
