/**
 * The build: core/ and plugins/ as JavaScript (esbuild, one output file per source file, relative
 * `.ts` imports rewritten to `.js`) and their declaration files (tsc), into dist/ (config/ stays
 * where it is: the build reads it from the package's root, as the sources do). `npm install`
 * (prepare) and `npm pack` (prepare again) run it whole; `npm start` and the tests run its
 * JavaScript part first (`--js-only`, well under a second), so that an edited source never runs
 * stale. A build of unchanged sources is kept, never replaced under gateways running from it.
 *   node core/cli/build.js [--js-only]
 * The package's entry points and `mcp-gateway` (bin.js) run dist/: no module loader, no
 * compilation when the gateway starts.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Run from the sources only: they build, they are not built. */
const tools = new Set(['core/cli/bin.js', 'core/cli/build.js']);

/** The files the build is made of: the kernel's and the built-in plugins' modules (tests excluded). */
export function sourceFiles(root = packageRoot) {
  const files = [];
  for (const top of ['core', 'plugins']) {
    for (const entry of readdirSync(join(root, top), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.(ts|js)$/.test(entry.name) || /\.(test|d)\.ts$/.test(entry.name)) continue;
      const file = join(entry.parentPath, entry.name);
      const path = relative(root, file);
      if (!path.split('/').includes('node_modules') && !tools.has(path)) files.push(file);
    }
  }
  return files.sort();
}

/** What a build was made of: every source's path, size and mtime, and the package manifest. */
function fingerprint(root, files) {
  const hash = createHash('sha256').update(readFileSync(join(root, 'package.json')));
  for (const file of files) {
    const { size, mtimeMs } = statSync(file);
    hash.update(`${relative(root, file)} ${size} ${mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** The record of the build in `out`, if any. */
function lastBuild(out) {
  try {
    return JSON.parse(readFileSync(join(out, '.build.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Build into `out` (default: dist/ of `root`); `types: false` skips the declaration files. A build
 * of unchanged sources is kept (gateways may be running from it), only completed with the
 * declaration files if they are asked for and missing.
 * @param {{ root?: string, out?: string, types?: boolean }} [options]
 */
export async function build({ root = packageRoot, out = join(root, 'dist'), types = true } = {}) {
  const files = sourceFiles(root);
  const made = fingerprint(root, files);
  const last = lastBuild(out);
  const kept = last?.fingerprint === made;
  if (!kept) await javaScript(root, out, files);
  const typed = kept && last.types === true;
  if (types && !typed) declarations(root, out);
  writeFileSync(join(out, '.build.json'), `${JSON.stringify({ fingerprint: made, types: typed || types })}\n`);
  return out;
}

/** The JavaScript, in place of the previous build as a whole. */
async function javaScript(root, out, files) {
  const { build: esbuild } = await import('esbuild');
  const building = `${out}.${process.pid}.building`;
  rmSync(building, { recursive: true, force: true });
  try {
    await esbuild({
      absWorkingDir: root,
      entryPoints: files,
      outdir: building,
      outbase: root,
      // Bundling with every import external keeps one output per source and lets the plugin below
      // rewrite each relative `./x.ts` import to `./x.js`.
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      logLevel: 'silent',
      plugins: [keepImports],
    });
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    // dist/ is its own package scope: ES modules, and 'mcp-gateway' and its subpaths (imported by
    // the built-in plugins) resolve to the built modules by self-reference.
    const exports = { './package.json': './package.json' };
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (typeof target === 'object') exports[subpath] = target.default.replace(/^\.\/dist\//, './');
    }
    const { name, version, type } = manifest;
    writeFileSync(join(building, 'package.json'), `${JSON.stringify({ name, version, type, exports }, null, 2)}\n`);
    rmSync(out, { recursive: true, force: true });
    renameSync(building, out);
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

/** The declaration files beside the JavaScript, from tsc with the project's own settings. */
function declarations(root, out) {
  const config = join(out, 'tsconfig.declarations.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: {
        noEmit: false,
        emitDeclarationOnly: true,
        declaration: true,
        outDir: out,
        rootDir: root,
        typeRoots: [join(root, 'node_modules/@types')],
      },
      include: [join(root, 'core'), join(root, 'plugins')],
      exclude: [join(root, '**/*.test.ts'), join(root, '**/node_modules')],
    }),
  );
  try {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', config], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`declaration files: tsc failed\n${result.stdout}${result.stderr}`);
  } finally {
    rmSync(config, { force: true });
  }
}

const keepImports = {
  name: 'keep-imports',
  setup(build) {
    build.onResolve({ filter: /.*/ }, ({ kind, path }) => {
      if (kind === 'entry-point') return undefined;
      return { path: /^\.\.?\//.test(path) ? path.replace(/\.ts$/, '.js') : path, external: true };
    });
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  try {
    const out = await build({ types: !process.argv.includes('--js-only') });
    console.log(`mcp-gateway built into ${relative(process.cwd(), out) || '.'} in ${Date.now() - started} ms`);
  } catch (error) {
    console.error(`mcp-gateway: the build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
