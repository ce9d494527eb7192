/**
 * Finding and reading the configuration file. Search order: `--config FILE`, then
 * `MCP_GATEWAY_CONFIG`, then the usual names in the working directory (found by cosmiconfig:
 * `mcp-gateway.yaml`, `.mcp-gatewayrc.yaml`, ...), then `/etc/mcp-gateway/config.yaml` (where the
 * Docker image expects a mounted config), and last the embedded default, `config/default.yaml`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cosmiconfig } from 'cosmiconfig';
import { LineCounter, parseDocument, type Node } from 'yaml';
import { ErrorCodes } from '../../kernel/errors.ts';
import { ConfigError, type ConfigSource, type KeyPath } from './errors.ts';
import { interpolateDocument } from './interpolate.ts';

export const systemConfigFile = '/etc/mcp-gateway/config.yaml';
// The package's config/: three folders up from the sources (core/kernel/config/), four from the
// build (dist/core/kernel/config/, see core/cli/build.js).
export const embeddedConfigFile = fileURLToPath(
  new URL(`${import.meta.url.endsWith('.js') ? '../../../../' : '../../../'}config/default.yaml`, import.meta.url),
);

export const searchPlaces = [
  'mcp-gateway.yaml',
  'mcp-gateway.yml',
  'mcp-gateway.json',
  '.mcp-gatewayrc',
  '.mcp-gatewayrc.yaml',
  '.mcp-gatewayrc.yml',
  '.mcp-gatewayrc.json',
  '.config/mcp-gatewayrc.yaml',
  '.config/mcp-gateway.yaml',
];

export type ConfigOrigin = 'flag' | 'environment' | 'search' | 'system' | 'embedded';

export interface ConfigLocation {
  readonly file: string;
  readonly origin: ConfigOrigin;
}

export interface LoadedConfig extends ConfigLocation {
  readonly baseDir: string;
  readonly source: ConfigSource;
  /** The file's content with `${VAR}` references substituted, not yet validated. */
  readonly raw: Record<string, unknown>;
}

export async function locateConfig(options: {
  explicit?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}): Promise<ConfigLocation> {
  if (options.explicit) return { file: resolve(options.cwd, options.explicit), origin: 'flag' };
  const fromEnv = options.env.MCP_GATEWAY_CONFIG;
  if (fromEnv) return { file: resolve(options.cwd, fromEnv), origin: 'environment' };
  const keepText = (_file: string, content: string) => ({ content });
  const explorer = cosmiconfig('mcp-gateway', {
    searchPlaces,
    searchStrategy: 'none',
    ignoreEmptySearchPlaces: false,
    cache: false,
    loaders: { '.yaml': keepText, '.yml': keepText, '.json': keepText, noExt: keepText },
  });
  const found = await explorer.search(options.cwd);
  if (found) return { file: found.filepath, origin: 'search' };
  if (existsSync(systemConfigFile)) return { file: systemConfigFile, origin: 'system' };
  return { file: embeddedConfigFile, origin: 'embedded' };
}

export async function loadConfig(location: ConfigLocation, env: NodeJS.ProcessEnv): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(location.file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'does not exist'
        : `cannot be read (${(error as Error).message})`;
    throw new ConfigError(`the configuration file ${reason}`, {
      source: { file: location.file, line: () => undefined },
      path: [],
      code: ErrorCodes.CONFIG_NOT_FOUND,
      fix: 'check the path given to --config or MCP_GATEWAY_CONFIG',
    });
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
  const source: ConfigSource = {
    file: location.file,
    line: (path: KeyPath) => {
      for (let depth = path.length; depth >= 0; depth--) {
        const node = document.getIn(path.slice(0, depth), true) as Node | undefined;
        if (node?.range) return lineAt(node.range[0]);
      }
      return undefined;
    },
  };
  const [syntaxError] = document.errors;
  if (syntaxError) {
    throw new ConfigError(`invalid YAML: ${syntaxError.message.split('\n')[0]}`, {
      source: { file: location.file, line: () => lineAt(syntaxError.pos[0]) },
      path: [],
      fix: 'correct the YAML syntax at that line',
    });
  }
  const [missing, ...moreMissing] = interpolateDocument(document, env);
  if (missing) {
    // Every unset variable is named, so that one run finds them all.
    const others = moreMissing.filter(
      (other, i) => other.name !== missing.name && moreMissing.findIndex((o) => o.name === other.name) === i,
    );
    const also = others.length
      ? ` (also unset: ${others.map((o) => `${o.name} at line ${lineAt(o.offset)}`).join(', ')})`
      : '';
    const names = others.length
      ? `${[missing, ...others.slice(0, -1)].map((m) => m.name).join(', ')} and ${others.at(-1)!.name}`
      : missing.name;
    throw new ConfigError(`environment variable ${missing.name} is not set${also}`, {
      source: { file: location.file, line: () => lineAt(missing.offset) },
      path: missing.path,
      code: ErrorCodes.ENV_MISSING,
      fix: `set ${names}, or give ${others.length ? 'each ' : ''}a default with \${${missing.name}:-value}`,
    });
  }
  const raw: unknown = document.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('the configuration must be a mapping of sections (server:, proxy:, ...)', {
      source,
      path: [],
    });
  }
  return { ...location, baseDir: dirname(location.file), source, raw: raw as Record<string, unknown> };
}
