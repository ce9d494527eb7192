/**
 * The compiled kernel: core/ and plugins/ transpiled to JavaScript (esbuild, one output file per
 * source file) into node_modules/.cache/mcp-gateway/<fingerprint>/, so that `mcp-gateway` starts
 * without any module loader hook. On Node 20 loader hooks run on their own thread, and starting it
 * (tsx) plus one round trip per imported module cost about 0.25 s of a 0.7 s start.
 *
 * The fingerprint covers every source file's path, size and mtime, so an edited file is never run
 * stale: the next start compiles again (about 0.3 s). When the copy cannot be made (a read-only
 * installation that was not compiled at build time), the caller runs the TypeScript sources.
 * `node core/cli/compiled.js` compiles ahead of time (the Dockerfile does).
 */
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
const cacheDir = join(packageRoot, 'node_modules', '.cache', 'mcp-gateway');
/** Bumped when the shape of the output changes, so older copies are not reused. */
const OUTPUT_FORMAT = 1;
/** Copies another start may still be loading from are left alone for this long. */
const STALE_AFTER_MS = 60 * 60 * 1000;

/** The files the copy is made of: the kernel's and the built-in plugins' modules (tests excluded). */
export function sourceFiles(root = packageRoot) {
  const files = [];
  for (const top of ['core', 'plugins']) {
    for (const entry of readdirSync(join(root, top), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.(ts|js)$/.test(entry.name) || /\.(test|d)\.ts$/.test(entry.name)) continue;
      const file = join(entry.parentPath, entry.name);
      if (!relative(root, file).split('/').includes('node_modules')) files.push(file);
    }
  }
  return files.sort();
}

function fingerprint(root = packageRoot, files = sourceFiles(root)) {
  const hash = createHash('sha256').update(`${OUTPUT_FORMAT} ${process.versions.node}\n`);
  hash.update(readFileSync(join(root, 'package.json')));
  for (const file of files) {
    const { size, mtimeMs } = statSync(file);
    hash.update(`${relative(root, file)} ${size} ${mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The URL of the compiled package root (its core/cli/main.js is the entry), compiling it first if
 * the sources changed; undefined when it cannot be made, with the reason passed to `warn`.
 * @param {{ root?: string, cache?: string, warn?: (reason: string) => void }} [options]
 * @returns {Promise<URL | undefined>}
 */
export async function compiledKernel({ root = packageRoot, cache = cacheDir, warn = () => {} } = {}) {
  try {
    const files = sourceFiles(root);
    const target = join(cache, fingerprint(root, files));
    if (!existsDir(target)) await compile(root, files, target);
    removeStale(cache, target);
    return pathToFileURL(join(target, '/'));
  } catch (error) {
    warn(error instanceof Error ? error.message : String(error));
    return undefined;
  }
}

async function compile(root, files, target) {
  // A cache that cannot be written fails here, at once and with its own reason, not after a
  // whole compile (a read-only installation that was not compiled at build time).
  mkdirSync(join(target, '..'), { recursive: true });
  accessSync(join(target, '..'), constants.W_OK);
  const { build } = await import('esbuild');
  const building = `${target}.${process.pid}.building`;
  rmSync(building, { recursive: true, force: true });
  try {
    await build({
      absWorkingDir: root,
      entryPoints: files,
      outdir: building,
      outbase: root,
      // Bundling with every import external keeps one output per source and lets the plugin below
      // rewrite each relative `./x.ts` import to `./x.js`.
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node}`,
      sourcemap: 'linked',
      logLevel: 'silent',
      plugins: [keepImports],
    });
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    // The copy is its own package scope: ES modules, and 'mcp-gateway' (imported by the built-in
    // plugins) resolves to the compiled kernel by self-reference.
    const exports = { '.': './core/index.js', './package.json': './package.json' };
    writeFileSync(join(building, 'package.json'), JSON.stringify({ ...manifest, exports }, null, 2));
    // Files read next to the sources (config/default.yaml) are reached through a link.
    symlinkSync(join(root, 'config'), join(building, 'config'), 'dir');
    try {
      renameSync(building, target);
    } catch (error) {
      // Another start compiled the same sources first; its copy is identical.
      if (!existsDir(target)) throw error;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
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

function existsDir(path) {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function removeStale(cache, keep) {
  for (const name of readdirSync(cache)) {
    const path = join(cache, name);
    if (path === keep) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_AFTER_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed by another start
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const compiled = await compiledKernel({ warn: (reason) => console.error(`mcp-gateway: cannot compile: ${reason}`) });
  if (!compiled) process.exit(1);
  console.log(`compiled into ${fileURLToPath(compiled)}`);
}
