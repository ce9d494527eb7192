import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { censored, createLogger } from '../../core/engine/logger.ts';

describe('censored log objects', () => {
  it('blanks secret keys in any case down to three levels, and nothing else', () => {
    const line = {
      token: 't0',
      headers: { Authorization: 'Bearer t1', 'X-Api-Key': 'k1', accept: 'application/json' },
      upstream: { auth: { client_secret: 's3', scope: 'read' } },
      deep: { a: { b: { password: 'too deep to look at' } } },
      list: [{ api_key: 'k2' }],
      status: 200,
    };
    expect(censored(line)).toEqual({
      token: '[redacted]',
      headers: { Authorization: '[redacted]', 'X-Api-Key': '[redacted]', accept: 'application/json' },
      upstream: { auth: { client_secret: '[redacted]', scope: 'read' } },
      deep: { a: { b: { password: 'too deep to look at' } } },
      list: [{ api_key: '[redacted]' }],
      status: 200,
    });
  });

  it('never changes the caller’s objects, and gives a clean object back as it is', () => {
    const headers = { cookie: 'c=1' };
    const line = { headers, path: '/mcp' };
    censored(line);
    expect(headers).toEqual({ cookie: 'c=1' });
    const clean = { method: 'POST', nested: { status: 200 } };
    expect(censored(clean)).toBe(clean);
  });

  it('leaves errors to their serializer, and censors what a real logger writes', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write: (chunk, _encoding, done) => {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: 'info', format: 'json', destination });
    logger
      .child({ request_id: 'r1', session: { token: 'bound' } })
      .warn({ err: new Error('boom'), password: 'p' }, 'failed');
    const written = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(written).toMatchObject({
      request_id: 'r1',
      session: { token: '[redacted]' },
      password: '[redacted]',
      msg: 'failed',
    });
    expect(written.err).toMatchObject({ type: 'Error', message: 'boom' });
  });
});
