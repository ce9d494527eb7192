/**
 * The gateway's logger: pino, JSON by default (one object per line, for log shippers), or text
 * for humans (pino-pretty, written synchronously so that nothing is lost at exit). Credentials
 * are redacted wherever they appear under a known name, so that a debug log can be shared.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { stdoutPerTurn } from './log-destination.ts';
import { createRequire } from 'node:module';
import type { PrettyOptions, PrettyStream } from 'pino-pretty';

// Loaded only for the text format: most gateways log JSON, and start-up time counts.
const pretty = (options: PrettyOptions): PrettyStream =>
  (createRequire(import.meta.url)('pino-pretty') as (o: PrettyOptions) => PrettyStream)(options);

export type LogFormat = 'json' | 'text';

/** Keys (in any case) whose values never reach a log line, down to `SECRET_DEPTH` levels of nesting. */
const secretKeys = new Set([
  'authorization',
  'cookie',
  'token',
  'access_token',
  'password',
  'secret',
  'client_secret',
  'x-api-key',
  'api_key',
]);
const SECRET_DEPTH = 3;
const CENSOR = '[redacted]';

export interface LoggerOptions {
  readonly level: string;
  readonly format: LogFormat;
  /** Values to blank wherever they appear in a line (configured secrets). */
  readonly secrets?: LineSecrets;
  /** Where lines go (default stdout); tests pass a stream to read them. */
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const { secrets } = options;
  const base = {
    level: options.level,
    base: { service: 'mcp-gateway' },
    // pino's own `redact` with wildcard paths costs more than the rest of an access line together
    // (core/README.md, "Measured costs"); this walk copies only the objects that hold a secret.
    formatters: { log: censored, bindings: censored },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(secrets && { hooks: { streamWrite: secrets.blank } }),
  };
  if (options.format === 'text') {
    const stream = pretty({
      sync: true,
      colorize: false,
      singleLine: true,
      ignore: 'pid,hostname,service',
      destination: options.destination ?? 1,
    });
    return censoringChildren(pino(base, stream));
  }
  return censoringChildren(pino(base, options.destination ?? stdoutPerTurn()));
}

/** pino gives children no bindings formatter; every logger descends from this one, so they all inherit it. */
function censoringChildren(logger: Logger): Logger {
  const child = logger.child;
  logger.child = function (this: Logger, bindings, options) {
    return child.call(this, censored(bindings), options);
  } as Logger['child'];
  return logger;
}

/**
 * A child logger made when first used. Every HTTP request gets one (its lines carry its request
 * id), and most are used only for their access line, written once the answer is on its way:
 * pino's `child` cost more on the way to the upstream than the rest of the request's bookkeeping
 * (core/README.md, "Measured costs"). The first use of any property or method makes the child; the rest is
 * the child's own behaviour.
 */
export function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  let child: Logger | undefined;
  const real = () => (child ??= parent.child(bindings));
  return new Proxy({} as Logger, {
    get(_, key) {
      const logger = real();
      const value: unknown = Reflect.get(logger, key, logger);
      return typeof value === 'function' ? value.bind(logger) : value;
    },
    set: (_, key, value) => Reflect.set(real(), key, value),
    has: (_, key) => key in real(),
  });
}

/** The log object with secret keys' values censored; the caller's objects are never changed. */
export function censored<T extends object>(object: T): T {
  return censor(object, SECRET_DEPTH) as T;
}

function censor(value: unknown, depth: number): unknown {
  if (depth === 0 || typeof value !== 'object' || value === null) return value;
  const array = Array.isArray(value);
  // Errors and other class instances keep their shape for pino's serializers.
  if (!array && Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null)
    return value;
  const source = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(source)) {
    const item = source[key];
    const next = !array && secretKeys.has(key.toLowerCase()) ? CENSOR : censor(item, depth - 1);
    if (next !== item)
      (copy ??= (array ? [...(value as unknown[])] : { ...source }) as Record<string, unknown>)[key] = next;
  }
  return copy ?? value;
}

/**
 * The secret values blanked wherever they appear in a line. A reloaded configuration adds its
 * own; none is ever dropped, since what the old configuration held may still be logged.
 */
export class LineSecrets {
  readonly #values = new Set<string>();
  #pattern: RegExp | undefined;

  constructor(values: readonly string[] = []) {
    this.add(values);
  }

  add(values: readonly string[]): void {
    for (const value of values) this.#values.add(value);
    const forms = [...new Set([...this.#values].flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]))]
      .sort((a, b) => b.length - a.length)
      .map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.#pattern = forms.length ? new RegExp(forms.join('|'), 'g') : undefined;
  }

  readonly blank = (line: string): string => (this.#pattern ? line.replace(this.#pattern, '[redacted]') : line);
}

export type { Logger };
