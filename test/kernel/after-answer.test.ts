/**
 * The work that observes requests (core/engine/after-answer.ts): after the turn that queued it, in one
 * batch that includes what its jobs queue (a log line's write), and waited for by a scrape.
 */
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { afterAnswer, afterAnswers } from '../../core/engine/after-answer.ts';
import { stdoutPerTurn } from '../../core/engine/log-destination.ts';
import { tempDir } from '../helpers/processes.ts';

it('runs nothing in the turn that queued it, then every job in order', async () => {
  const ran: string[] = [];
  afterAnswer(() => ran.push('event'));
  afterAnswer(() => ran.push('access line'));
  await Promise.resolve();
  expect(ran).toEqual([]);
  await afterAnswers();
  expect(ran).toEqual(['event', 'access line']);
});

it('runs what a job queues in the same batch: a line logged by a job is written before the batch ends', () =>
  new Promise<void>((resolve, reject) => {
    const file = join(tempDir(), 'out.log');
    const destination = stdoutPerTurn(openSync(file, 'w'));
    afterAnswer(() => destination.write('{"msg":"http request"}\n'));
    // Queued behind the line's write: by the time it runs, the line is in the file. Before, the
    // write waited for another immediate, the next turn's.
    afterAnswer(() => {
      try {
        expect(readFileSync(file, 'utf8')).toBe('');
      } catch (error) {
        reject(error);
      }
    });
    setImmediate(() => {
      try {
        expect(readFileSync(file, 'utf8')).toBe('{"msg":"http request"}\n');
        resolve();
      } catch (error) {
        reject(error);
      }
    });
  }));
