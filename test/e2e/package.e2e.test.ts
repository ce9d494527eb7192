/**
 * The published package works on its own: `npm pack`, install the tarball into an empty folder,
 * then `npx mcp-gateway --version` and a `serve` on the embedded default config that answers.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { cleanEnv, repoRoot, stopChild, tempDir } from '../helpers/processes.ts';

const run = promisify(execFile);
const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };

it('installs from its tarball into an empty folder and serves there', { timeout: 240_000 }, async () => {
  const folder = tempDir('mcpgw-pack-');
  const env = cleanEnv();
  const { stdout } = await run('npm', ['pack', '--pack-destination', folder, '--silent'], { cwd: repoRoot, env });
  const tarball = join(folder, stdout.trim().split('\n').at(-1)!);
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--silent', tarball], {
    cwd: folder,
    env,
  });

  const printed = await run('npx', ['--no-install', 'mcp-gateway', '--version'], { cwd: folder, env });
  expect(printed.stdout.trim()).toBe(version);

  // The installed bin itself (what npx runs), so that the stop signal reaches the gateway.
  const gateway = spawn(
    join(folder, 'node_modules/.bin/mcp-gateway'),
    ['serve', '--port', '0', '--log-format', 'json'],
    {
      cwd: folder,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let buffered = '';
      gateway.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const match = /"address":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(buffered);
        if (match) resolve(Number(match[1]));
      });
      gateway.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${buffered}`)));
    });
    const live = await fetch(`http://127.0.0.1:${port}/live`);
    expect(live.status).toBe(200);
    // The embedded config fronts the "everything" reference server, installed as a dependency.
    let ready: { status: string; upstreams: { name: string; state: string }[] } | undefined;
    for (let attempt = 0; attempt < 50 && ready?.status !== 'ready'; attempt++) {
      ready = (await (await fetch(`http://127.0.0.1:${port}/ready`)).json()) as typeof ready;
      if (ready?.status !== 'ready') await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(ready).toMatchObject({ status: 'ready', upstreams: [{ name: 'everything', state: 'ready' }] });
  } finally {
    await stopChild(gateway);
  }
});
