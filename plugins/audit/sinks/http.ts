/**
 * Batches of records POSTed as a JSON array to a collector (a SIEM, a log pipeline). A failed
 * POST (a network error, a timeout, HTTP 408, 429 or 5xx) is retried with exponential backoff;
 * after the last retry, or at once for any other status (a wrong URL or token will not get
 * better), the batch is dropped and counted. The token is sent, never logged.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { HttpSinkOptions } from '../options.ts';
import { serialize } from '../record.ts';
import type { AuditSink } from './sink.ts';

type Attempt = { readonly ok: true } | { readonly ok: false; readonly retry: boolean; readonly problem: string };

export function httpSink(options: HttpSinkOptions, token: string | undefined): AuditSink {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(token && { authorization: `Bearer ${token}` }),
  };
  const where = new URL(options.url);

  async function post(body: string, signal: AbortSignal): Promise<Attempt> {
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeout)]),
      });
      await response.arrayBuffer().catch(() => undefined); // read it, so that the connection is reused
      if (response.ok) return { ok: true };
      const retry = response.status === 408 || response.status === 429 || response.status >= 500;
      return { ok: false, retry, problem: `HTTP ${response.status}` };
    } catch (error) {
      return { ok: false, retry: true, problem: describe(error) };
    }
  }

  return {
    description: {
      sink: 'http',
      url: `${where.origin}${where.pathname}`,
      batch_size: options.batch_size,
      flush_interval_ms: options.flush_interval,
    },
    batchSize: options.batch_size,
    flushInterval: options.flush_interval,
    async write(records, signal) {
      const body = `[${records.map(serialize).join(',')}]`;
      for (let attempt = 1; ; attempt++) {
        const result = await post(body, signal);
        if (result.ok) return;
        if (!result.retry || attempt > options.retries || signal.aborted) {
          throw new Error(
            `POST ${where.origin}${where.pathname} failed (${result.problem}) after ${attempt} attempt${attempt > 1 ? 's' : ''}`,
          );
        }
        const wait = Math.min(options.retry_backoff * 2 ** (attempt - 1), 60_000);
        await delay(wait, undefined, { signal, ref: false }).catch(() => undefined);
      }
    },
    async close() {},
  };
}

/** A network failure in a few words: fetch hides the cause (ECONNREFUSED, ...) behind "fetch failed". */
function describe(error: unknown): string {
  const { name, message, cause } = error as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (name === 'TimeoutError') return 'timed out';
  if (name === 'AbortError') return 'aborted';
  return cause?.code ?? cause?.message ?? message ?? String(error);
}
