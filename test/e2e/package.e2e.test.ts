/**
 * The published package works on its own: `npm pack`, install the tarball into an empty folder,
 * then `npx mcp-gateway --version` and a `serve` on the embedded default config that answers; and
 * it is a library as a plugin author installs one: a TypeScript plugin project with an ordinary
 * `tsconfig.json` (NodeNext, strict) type-checks against it with no error, plain `node` imports it,
 * and `mcp-gateway --plugins ./plugin.ts` loads that plugin.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
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

  // A plugin author's project: the package's own declaration files, NodeNext and strict.
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'my-plugin', private: true, type: 'module' }));
  writeFileSync(
    join(folder, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        skipLibCheck: true,
        noEmit: true,
        types: [],
      },
      include: ['plugin.ts'],
    }),
  );
  writeFileSync(
    join(folder, 'plugin.ts'),
    [
      "import { definePlugin, z } from 'mcp-gateway';",
      'export default definePlugin({',
      "  name: 'shout', version: '1.0.0', configSchema: z.object({ suffix: z.string().default('!') }),",
      "  setup: (ctx) => ({ onListTools: (tools) => tools.map((tool) => ({ ...tool, value: { ...tool.value, description: `${tool.value.description ?? ''}${ctx.options.suffix}` } })) }),",
      '});',
      '',
    ].join('\n'),
  );
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  const checked = await run(process.execPath, [tsc, '-p', folder], { cwd: folder, env }).catch(
    (error: { stdout: string }) => error,
  );
  expect(checked.stdout).toBe('');
  const imported = await run(
    process.execPath,
    ['--input-type=module', '-e', "const m = await import('mcp-gateway'); console.log(typeof m.definePlugin)"],
    { cwd: folder, env },
  );
  expect(imported.stdout.trim()).toBe('function');
  const validated = await run('npx', ['--no-install', 'mcp-gateway', 'validate', '--plugins', './plugin.ts'], {
    cwd: folder,
    env,
  });
  expect(validated.stdout).toMatch(/shout 1\.0\.0 \(\.\/plugin\.ts, --plugins\)/);

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
