/** A request's logger (`lazyChild`): made when first used, then the child itself. */
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger, lazyChild } from '../../core/engine/logger.ts';

function recorded() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write: (chunk, _encoding, done) => {
      for (const line of String(chunk).split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', format: 'json', destination }) };
}

it('makes no child until it is used, then logs with its bindings censored, as the child would', () => {
  const { lines, logger } = recorded();
  const made: unknown[] = [];
  const child = logger.child.bind(logger);
  logger.child = ((bindings: Record<string, unknown>) => (made.push(bindings), child(bindings))) as typeof logger.child;
  const lazy = lazyChild(logger, { request_id: 'r1', token: 'secret' });
  expect(made).toHaveLength(0);
  lazy.info({ status: 200 }, 'http request');
  lazy.warn('again');
  expect(made).toHaveLength(1);
  expect(lines).toMatchObject([
    { request_id: 'r1', token: '[redacted]', status: 200, msg: 'http request' },
    { request_id: 'r1', msg: 'again' },
  ]);
});

it('takes a level, answers what is enabled, and makes children of its own', () => {
  const { lines, logger } = recorded();
  const lazy = lazyChild(logger, { request_id: 'r2' });
  expect(lazy.isLevelEnabled('debug')).toBe(false);
  lazy.level = 'debug';
  expect(lazy.level).toBe('debug');
  lazy.debug('now shown');
  lazy.child({ plugin: 'audit' }).debug('from a plugin');
  expect(logger.level).toBe('info');
  expect(lines).toMatchObject([
    { request_id: 'r2', msg: 'now shown' },
    { request_id: 'r2', plugin: 'audit', msg: 'from a plugin' },
  ]);
});
