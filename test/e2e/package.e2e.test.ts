/**
 * The published package works on its own: `npm pack`, install the tarball into an empty folder,
 * then `npx mcp-gateway --version` and a `serve` on the embedded default config that answers; and
 * it is a library as a plugin author installs one: a TypeScript plugin project with an ordinary
 * `tsconfig.json` (NodeNext, strict) type-checks against it and its subpaths with no error, its
 * vitest test runs against `mcp-gateway/testing` from the tarball, plain `node` imports it, and
 * `mcp-gateway --plugins ./plugin.ts` loads that plugin.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { expect, it } from 'vitest';
import { cleanEnv, repoRoot, stopChild, tempDir } from '../helpers/processes.ts';

const run = promisify(execFile);
/** The first TypeScript block after `heading` in the plugin authors' guide. */
function guideExample(heading: string): string {
  const guide = readFileSync(join(repoRoot, 'plugins/README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(guide.slice(guide.indexOf(heading)));
  if (!block) throw new Error(`no example after ${heading} in plugins/README.md`);
  return block[1]!;
}

const installedVersion = (name: string) =>
  (JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;
const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };

it('installs from its tarball into an empty folder and serves there', { timeout: 240_000 }, async () => {
  const folder = tempDir('mcpgw-pack-');
  const env = cleanEnv();
  const { stdout } = await run('npm', ['pack', '--pack-destination', folder, '--silent'], { cwd: repoRoot, env });
  const tarball = join(folder, stdout.trim().split('\n').at(-1)!);
  // What a plugin author adds beside it to test a plugin, at the versions this repository runs.
  const devTools = ['vitest', '@modelcontextprotocol/sdk'].map((name) => `${name}@${installedVersion(name)}`);
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--silent', tarball, ...devTools], {
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
      include: ['plugin.ts', 'plugin.test.ts', 'tool-footer.ts', 'tool-footer.test.ts'],
    }),
  );
  writeFileSync(
    join(folder, 'plugin.ts'),
    [
      "import { definePlugin, z } from 'mcp-gateway';",
      "import { compileGlob } from 'mcp-gateway/patterns';",
      'export default definePlugin({',
      "  name: 'shout', version: '1.0.0',",
      "  configSchema: z.object({ suffix: z.string().default('!'), tools: z.string().default('*') }),",
      '  setup: (ctx) => {',
      '    const chosen = compileGlob(ctx.options.tools);',
      "    return { onListTools: (tools) => tools.map((tool) => chosen.test(tool.name) ? ({ ...tool, value: { ...tool.value, description: `${tool.value.description ?? ''}${ctx.options.suffix}` } }) : tool) };",
      '  },',
      '});',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(folder, 'plugin.test.ts'),
    [
      "import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';",
      "import { startTestGateway } from 'mcp-gateway/testing';",
      "import { expect, it } from 'vitest';",
      "import shout from './plugin.js';",
      'const server = () => {',
      "  const made = new McpServer({ name: 'echo', version: '1.0.0' });",
      "  made.registerTool('echo', { description: 'Says it back' }, async () => ({ content: [] }));",
      "  made.registerTool('hush', { description: 'Says nothing' }, async () => ({ content: [] }));",
      '  return made;',
      '};',
      "it('shouts the descriptions of the tools it is told to', async () => {",
      "  const gateway = await startTestGateway({ plugins: [{ plugin: shout, options: { tools: '*echo' } }], servers: { echo: server } });",
      '  try {',
      '    const client = await gateway.connect();',
      '    const { tools } = await client.listTools();',
      "    expect(tools.map((tool) => [tool.name, tool.description])).toEqual([['echo__echo', 'Says it back!'], ['echo__hush', 'Says nothing']]);",
      '  } finally {',
      '    await gateway.close();',
      '  }',
      '});',
      '',
    ].join('\n'),
  );
  // The guide's first plugin and its test, as a reader copies them.
  writeFileSync(join(folder, 'tool-footer.ts'), guideExample('## A first plugin'));
  writeFileSync(join(folder, 'tool-footer.test.ts'), guideExample('## Testing a plugin'));
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  const checked = await run(process.execPath, [tsc, '-p', folder], { cwd: folder, env }).catch(
    (error: { stdout: string }) => error,
  );
  expect(checked.stdout).toBe('');
  const tested = await run(
    process.execPath,
    [join(folder, 'node_modules/vitest/vitest.mjs'), 'run', '--root', folder],
    { cwd: folder, env },
  ).catch((error: { stdout: string; stderr: string }) => error);
  expect(stripVTControlCharacters(tested.stdout + tested.stderr)).toMatch(/Tests +2 passed/);
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
