/** A configuration and its plugin files in a temp folder, planned in-process as `validate` does. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { ConfigError } from '../../core/boot/config/errors.ts';
import { parseGatewayConfig } from '../../core/boot/config/gateway-config.ts';
import { loadConfig } from '../../core/boot/config/load.ts';
import { planGateway, type GatewayPlan } from '../../core/boot/loader/plan.ts';
import { tempDir } from '../helpers/processes.ts';

export { tempDir };

export const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

/** Write `content` to `relative` under `dir`, creating folders; returns the file's path. */
export function writeFile(dir: string, relative: string, content: string): string {
  const file = join(dir, relative);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

/** A plugin module: `definition` is the source of the object passed to definePlugin. */
export const pluginModule = (definition: string) =>
  `import { definePlugin, z } from 'mcp-gateway';\nexport default definePlugin(${definition});\n`;

/** A minimal plugin named `name`, with extra definition fields as source text. */
export const simplePlugin = (name: string, fields = '') =>
  pluginModule(`{ name: '${name}', version: '1.0.0', ${fields} setup() {} }`);

export interface PlanOptions {
  readonly dir?: string;
  /** The config file, relative to `dir`. */
  readonly configName?: string;
  readonly extraPlugins?: readonly string[];
  readonly cwd?: string;
  readonly env?: Record<string, string>;
}

/** Write the config, then load, validate and plan it. */
export async function planYaml(text: string, options: PlanOptions = {}): Promise<GatewayPlan> {
  const dir = options.dir ?? tempDir();
  const file = writeFile(dir, options.configName ?? 'mcp-gateway.yaml', text);
  const loaded = await loadConfig({ file, origin: 'flag' }, options.env ?? {});
  const config = parseGatewayConfig(loaded.raw, loaded.source);
  return planGateway({
    config,
    raw: loaded.raw,
    baseDir: loaded.baseDir,
    source: loaded.source,
    extraPlugins: options.extraPlugins,
    cwd: options.cwd,
  });
}

/** The ConfigError that planning the config throws. */
export async function planError(text: string, options: PlanOptions = {}): Promise<ConfigError> {
  const error = await planYaml(text, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

export const pluginNames = (plan: GatewayPlan) => plan.plugins.map((p) => p.definition.name);
