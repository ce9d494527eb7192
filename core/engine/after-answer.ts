/**
 * Work that only observes requests (their events, their access lines, the log writes) runs once
 * the answers are on their way: on the event loop's next check phase, in one batch, after the
 * writes. Done during a call, it would delay every answer; deferred one immediate at a time, a
 * log line formatted in one immediate was written in the next turn, after the next request had
 * come in and before its upstream request went out (seen with strace). Work a job queues runs in
 * the same batch, so the lines the batch logs are written by its end.
 */

let jobs: (() => void)[] = [];

/** Run `job` once the answers being written now are on their way. A job must not throw. */
export function afterAnswer(job: () => void): void {
  if (jobs.push(job) === 1) setImmediate(runJobs);
}

/**
 * Resolves once the observing work queued so far has run: for a reader that must have seen every
 * event that came before it (a metrics scrape).
 */
export function afterAnswers(): Promise<void> {
  return new Promise((resolve) => afterAnswer(resolve));
}

function runJobs(): void {
  const batch = jobs;
  try {
    for (let i = 0; i < batch.length; i++) batch[i]!();
  } finally {
    // A throwing job (a bug) loses the rest of its batch, never the next one.
    jobs = [];
  }
}
