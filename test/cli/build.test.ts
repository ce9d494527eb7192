/**
 * The build (core/cli/build.js), on a small package laid out like ours and on this repository: its
 * JavaScript runs with no module hook at all (relative `.ts` imports rewritten, 'mcp-gateway' and
 * its subpaths resolved by self-reference), tests are left out, declaration files come with it, and
 * `mcp-gateway` runs it without tsx.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { build, sourceFiles } from '../../core/cli/build.js';
import { binPath, cleanEnv, repoRoot, tempDir } from '../helpers/processes.ts';

function fakePackage(): string {
  const root = tempDir('mcpgw-build-');
  const files: Record<string, string> = {
    'package.json': JSON.stringify({
      name: 'mcp-gateway',
      version: '9.8.7',
      type: 'module',
      exports: {
        '.': { types: './dist/core/index.d.ts', default: './dist/core/index.js' },
        './shout': { types: './dist/core/lib/shout.d.ts', default: './dist/core/lib/shout.js' },
        './package.json': './package.json',
      },
    }),
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        strict: true,
        allowImportingTsExtensions: true,
        skipLibCheck: true,
        paths: { 'mcp-gateway': ['./core/index.ts'], 'mcp-gateway/shout': ['./core/lib/shout.ts'] },
      },
    }),
    'core/index.ts': "export { greeting } from './greeting.ts';\n",
    'core/greeting.ts': 'export const greeting = (name: string): string => `hello ${name}`;\n',
    'core/lib/shout.ts': 'export const shout = (text: string): string => text.toUpperCase();\n',
    'core/greeting.test.ts': "import { it } from 'vitest';\nit('is never built', () => {});\n",
    'core/cli/bin.js': '// a tool of the sources: never built\n',
    'plugins/polite/index.ts':
      "import { greeting } from 'mcp-gateway';\nimport { shout } from 'mcp-gateway/shout';\n" +
      "export const said: string = greeting('plugin');\nexport const shouted: string = shout(said);\n",
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

/** Imports a built module in a plain `node` with no loader, as bin.js does. */
function importPlainly(file: string, expression: string): string {
  const script = `const m = await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(${expression});`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim();
}

it('builds JavaScript that runs without any loader, and declaration files, leaving tests and tools out', async () => {
  const root = fakePackage();
  const out = await build({ root, out: join(root, 'dist') });
  expect(importPlainly(join(out, 'plugins/polite/index.js'), 'm.said')).toBe('hello plugin');
  expect(importPlainly(join(out, 'plugins/polite/index.js'), 'm.shouted')).toBe('HELLO PLUGIN');
  expect(readFileSync(join(out, 'core/greeting.d.ts'), 'utf8')).toContain('greeting: (name: string) => string');
  expect(existsSync(join(out, 'core/greeting.test.js'))).toBe(false);
  expect(existsSync(join(out, 'core/cli/bin.js'))).toBe(false);
  expect(sourceFiles(root).map((file: string) => file.slice(root.length))).toEqual([
    '/core/greeting.ts',
    '/core/index.ts',
    '/core/lib/shout.ts',
    '/plugins/polite/index.ts',
  ]);
});

it('replaces the previous build whole, so an edited source never runs stale', async () => {
  const root = fakePackage();
  const out = join(root, 'dist');
  await build({ root, out, types: false });
  writeFileSync(join(root, 'core/greeting.ts'), 'export const greeting = (name: string): string => `hi ${name}`;\n');
  await build({ root, out, types: false });
  expect(importPlainly(join(out, 'plugins/polite/index.js'), 'm.said')).toBe('hi plugin');
});

it('keeps a build of unchanged sources, which gateways may be running from, and adds what it lacks', async () => {
  const root = fakePackage();
  const out = join(root, 'dist');
  await build({ root, out, types: false });
  const builtAt = statSync(join(out, 'core/greeting.js')).mtimeMs;
  expect(existsSync(join(out, 'core/greeting.d.ts'))).toBe(false);
  await build({ root, out });
  expect(statSync(join(out, 'core/greeting.js')).mtimeMs).toBe(builtAt);
  expect(existsSync(join(out, 'core/greeting.d.ts'))).toBe(true);
  await build({ root, out, types: false });
  expect(existsSync(join(out, 'core/greeting.d.ts'))).toBe(true);
});

it('fails naming the file when a source does not compile', async () => {
  const root = fakePackage();
  writeFileSync(join(root, 'core/greeting.ts'), 'export const greeting = (;\n');
  await expect(build({ root, out: join(root, 'dist'), types: false })).rejects.toThrow(/greeting\.ts/);
});

it('runs mcp-gateway from the build of this repository, which loads without tsx', () => {
  expect(importPlainly(join(repoRoot, 'dist/core/kernel/index.js'), 'typeof m.definePlugin')).toBe('function');
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const run = spawnSync(process.execPath, [binPath, '--version'], { encoding: 'utf8', env: cleanEnv() });
  expect(run.stdout.trim()).toContain(manifest.version);
  // From the build: no word of running the sources through tsx.
  expect(run.stderr).toBe('');
});
