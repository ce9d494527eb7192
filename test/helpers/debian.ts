/**
 * Programs from Debian's packages that some tests run for real (redis-server, nginx). `.ci/run`
 * installs them. On a machine without one, the tests that need it are skipped with one line
 * naming the package; under `CI=true` they run, and fail, so that CI cannot pass without them.
 */
import { appendFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { it } from 'vitest';
import { nginxBinary } from '../../scripts/nginx.ts';

export interface DebianProgram {
  /** A path, or a name looked up on PATH. */
  readonly program: string;
  /** The package that brings it. */
  readonly pkg: string;
}

export const redisServer: DebianProgram = { program: 'redis-server', pkg: 'redis-server' };
export const nginxServer: DebianProgram = { program: nginxBinary, pkg: 'nginx-light' };
export const chromium: DebianProgram = { program: '/usr/bin/chromium', pkg: 'chromium' };
export const prometheus: DebianProgram = { program: '/usr/bin/prometheus', pkg: 'prometheus' };

/** Where the skips of this run are listed, for the summary at its end (skipped-summary.ts): in the run's own temp folder. */
export const skippedList = () => join(tmpdir(), 'skipped-for-debian-packages.txt');

const found = (program: string) =>
  program.includes('/')
    ? existsSync(program)
    : (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, program)));

/** `it`, or `it.skip` (saying why, once) where a program the tests named `what` need is missing. */
export function itWith(what: string, ...programs: DebianProgram[]): typeof it {
  const missing = programs.filter(({ program }) => !found(program));
  if (missing.length === 0 || process.env.CI) return it;
  const why = missing.map(({ program, pkg }) => `${program} is missing (apt-get install ${pkg})`).join(', ');
  console.warn(`skipping ${what}: ${why}; CI runs them`);
  appendFileSync(skippedList(), `${what}: ${why}\n`);
  return it.skip as typeof it;
}
