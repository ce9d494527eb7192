/**
 * The compiled kernel (core/cli/compiled.js), on a small package laid out like ours: it must run
 * with no module hook at all (relative `.ts` imports rewritten, 'mcp-gateway' resolved by
 * self-reference, config/ reachable), be reused while the sources are unchanged, and never be
 * reused once one changes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { compiledKernel, sourceFiles } from '../../core/cli/compiled.js';
import { tempDir } from '../helpers/processes.ts';

function fakePackage(): string {
  const root = tempDir('mcpgw-compiled-');
  const files: Record<string, string> = {
    'package.json': JSON.stringify({
      name: 'mcp-gateway',
      version: '9.8.7',
      type: 'module',
      exports: { '.': './core/index.ts' },
    }),
    'config/default.yaml': 'proxy: {}\n',
    'core/index.ts':
      "export { greeting } from './greeting.ts';\nexport const configFile = new URL('../config/default.yaml', import.meta.url);\n",
    'core/greeting.ts': 'export const greeting = (name: string): string => `hello ${name}`;\n',
    'core/greeting.test.ts': "import { it } from 'vitest';\nit('is never compiled', () => {});\n",
    'plugins/polite/index.ts':
      "import { greeting, type Unused } from 'mcp-gateway';\nexport const said: string = greeting('plugin');\n",
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

/** Imports a compiled module in a plain `node` with no loader, the way bin.js does. */
function importPlainly(url: URL, expression: string): string {
  const script = `const m = await import(${JSON.stringify(url.href)}); console.log(${expression});`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim();
}

it('runs without any loader: imports rewritten, the kernel found by name, config/ reachable', async () => {
  const root = fakePackage();
  const compiled = await compiledKernel({ root, cache: join(root, 'cache') });
  expect(compiled).toBeInstanceOf(URL);
  expect(importPlainly(new URL('plugins/polite/index.js', compiled), 'm.said')).toBe('hello plugin');
  const configFile = importPlainly(new URL('core/index.js', compiled), 'new URL(m.configFile).pathname');
  expect(realpathSync(configFile)).toBe(join(root, 'config/default.yaml'));
  expect(existsSync(new URL('core/greeting.test.js', compiled))).toBe(false);
  expect(sourceFiles(root).map((file: string) => file.slice(root.length))).toEqual([
    '/core/greeting.ts',
    '/core/index.ts',
    '/plugins/polite/index.ts',
  ]);
});

it('reuses the copy while the sources are unchanged and compiles again when one changes', async () => {
  const root = fakePackage();
  const cache = join(root, 'cache');
  const first = await compiledKernel({ root, cache });
  const compiledAt = statSync(new URL('core/greeting.js', first)).mtimeMs;
  expect((await compiledKernel({ root, cache }))?.href).toBe(first?.href);
  expect(statSync(new URL('core/greeting.js', first)).mtimeMs).toBe(compiledAt);

  writeFileSync(join(root, 'core/greeting.ts'), 'export const greeting = (name: string): string => `hi ${name}`;\n');
  const second = await compiledKernel({ root, cache });
  expect(second?.href).not.toBe(first?.href);
  expect(importPlainly(new URL('plugins/polite/index.js', second), 'm.said')).toBe('hi plugin');
  // A copy another start may still load from stays; one unused for hours goes.
  expect(existsSync(fileURLToPath(first!))).toBe(true);
  const anHourAgo = Date.now() / 1000 - 2 * 60 * 60;
  utimesSync(fileURLToPath(first!), anHourAgo, anHourAgo);
  await compiledKernel({ root, cache });
  expect(existsSync(fileURLToPath(first!))).toBe(false);
});

it('reports why when no copy can be made, so the caller runs the sources', async () => {
  const root = fakePackage();
  const blocked = join(root, 'not-a-folder');
  writeFileSync(blocked, '');
  const reasons: string[] = [];
  expect(
    await compiledKernel({ root, cache: join(blocked, 'cache'), warn: (reason: string) => reasons.push(reason) }),
  ).toBeUndefined();
  // Refused before compiling anything: one line naming the cache, not esbuild's report of every file.
  expect(reasons).toEqual([expect.stringMatching(/^ENOTDIR.*cache'?$/)]);

  writeFileSync(join(root, 'core/greeting.ts'), 'export const greeting = (;\n');
  expect(
    await compiledKernel({ root, cache: join(root, 'cache'), warn: (reason: string) => reasons.push(reason) }),
  ).toBeUndefined();
  expect(reasons[1]).toMatch(/greeting\.ts/);
});

it('compiles this repository into a kernel that loads without tsx', async () => {
  const compiled = await compiledKernel();
  expect(importPlainly(new URL('core/index.js', compiled), 'typeof m.definePlugin')).toBe('function');
  const manifest = JSON.parse(readFileSync(new URL('package.json', compiled), 'utf8')) as { version: string };
  expect(importPlainly(new URL('core/version.js', compiled), 'm.gatewayVersion')).toBe(manifest.version);
});
