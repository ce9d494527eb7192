/**
 * The suite on a machine without a Debian package: vitest itself, run on the Redis connection
 * tests with a PATH that has node but no redis-server. Without CI they are skipped, said in one line
 * and in the run's closing summary; with CI=true the same run fails.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from './processes.ts';

function vitestWithoutRedis(ci: boolean): Promise<{ code: number | null; output: string }> {
  const bin = mkdtempSync(join(tmpdir(), 'path-without-redis-'));
  symlinkSync(process.execPath, join(bin, 'node'));
  const { CI: _, ...env } = process.env;
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--config',
      'test/vitest.config.ts',
      'test/stores/redis-connection.test.ts',
    ],
    {
      cwd: repoRoot,
      env: { ...env, PATH: bin, ...(ci && { CI: 'true' }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

it('skips the tests that need a missing package, naming it, and sums the skips up at the end', {
  timeout: 60_000,
}, async () => {
  const { code, output } = await vitestWithoutRedis(false);
  expect(code).toBe(0);
  expect(output).toContain(
    'skipping the Redis connection tests: redis-server is missing (apt-get install redis-server); CI runs them',
  );
  expect(output).toMatch(
    /Skipped for want of a Debian package \(CI runs them all\):\n\s+the Redis connection tests: redis-server is missing/,
  );
});

it('fails them under CI=true, where a skip would hide a missing install', { timeout: 60_000 }, async () => {
  const { code, output } = await vitestWithoutRedis(true);
  expect(code).not.toBe(0);
  expect(output).toMatch(/spawn redis-server ENOENT/);
});
