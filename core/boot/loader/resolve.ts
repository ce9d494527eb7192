/**
 * Where a `use:` entry points: a path (`./audit.ts`, relative to the config file, or to the
 * working directory for `--plugins`), a built-in (a folder of `plugins/` with that name), or an npm
 * package (resolved from the config file's folder, then from the gateway's own installation).
 * Only what the configuration names is loaded; nothing is scanned.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve as resolveModule } from 'import-meta-resolve';
import { ErrorCodes } from '../../kernel/errors.ts';
import type { PluginOrigin } from '../../kernel/planned-plugin.ts';
import { ConfigError, type ConfigSource, type KeyPath } from '../config/errors.ts';

export interface ResolvedPlugin {
  readonly origin: PluginOrigin;
  /** The file to import. */
  readonly file: string;
}

/** The folder of the built-in plugins, found on disk; the kernel imports none of them statically. */
export const builtinsDir = fileURLToPath(new URL('../../../plugins/', import.meta.url));

const indexFiles = ['index.ts', 'index.mts', 'index.js', 'index.mjs'];

/** A folder's index module; a built-in in the build (see core/cli/build.js) has index.js. */
export const indexFile = (dir: string) => indexFiles.map((file) => join(dir, file)).find((file) => existsSync(file));

export const isPathSpecifier = (use: string) => /^(\.{1,2}[\\/]|\/|[A-Za-z]:[\\/]|file:)/.test(use);

export function builtinFile(name: string, dir = builtinsDir): string | undefined {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) return undefined;
  return indexFile(join(dir, name));
}

export function resolvePlugin(
  use: string,
  where: { baseDir: string; source?: ConfigSource; path: KeyPath; builtins?: string },
): ResolvedPlugin {
  const notFound = (problem: string, fix: string) =>
    new ConfigError(problem, { source: where.source, path: where.path, code: ErrorCodes.PLUGIN_NOT_FOUND, fix });

  if (isPathSpecifier(use)) {
    const target = use.startsWith('file:') ? fileURLToPath(use) : resolve(where.baseDir, use);
    if (!existsSync(target))
      throw notFound(
        `plugin file ${target} does not exist`,
        'check the path; relative paths start from the config file',
      );
    if (!statSync(target).isDirectory()) return { origin: 'path', file: target };
    const index = indexFile(target);
    if (!index)
      throw notFound(`plugin folder ${target} has no index.ts or index.js`, 'point at the plugin file itself');
    return { origin: 'path', file: index };
  }

  const builtin = builtinFile(use, where.builtins);
  if (builtin) return { origin: 'builtin', file: builtin };

  for (const parent of [pathToFileURL(join(where.baseDir, '/')).href, import.meta.url]) {
    try {
      return { origin: 'package', file: fileURLToPath(resolveModule(use, parent)) };
    } catch {
      // try the next place
    }
  }
  throw notFound(
    `no built-in plugin or installed package is named "${use}"`,
    `use a built-in name, a path starting with ./, or install the package (npm install ${use})`,
  );
}
