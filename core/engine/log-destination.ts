/**
 * Standard output for JSON log lines, written once per turn of the event loop, with the work that
 * observes requests (see after-answer.ts). A tool call logs two lines (its operation and its HTTP
 * request) in the same turn, and concurrent requests more; each write is a system call, which
 * costs more than formatting the lines. The write is synchronous, as pino's own default is: an
 * asynchronous one hands each write to a libuv thread and back, which cost more CPU per tool call
 * than the write itself (core/README.md, "Measured costs"). No line waits past the next turn, so the log
 * stays prompt, and the lines still pending when the process exits (a last line before
 * `process.exit`) are written then.
 */
import { pino, type DestinationStream } from 'pino';
import { afterAnswer } from './after-answer.ts';

export function stdoutPerTurn(fd = 1): DestinationStream & { flush(callback?: () => void): void } {
  const out = pino.destination({ dest: fd, sync: true });
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    out.write(text);
  };
  // The destination writes synchronously: what is flushed at exit is written before it.
  process.once('exit', flush);
  return {
    write(line: string) {
      if (pending.push(line) === 1) afterAnswer(flush);
    },
    flush(callback) {
      flush();
      callback?.();
    },
  };
}
