/**
 * From configuration to plan: which plugins load, in which order, with which validated options,
 * and which transport serves each upstream server. Everything that can be checked without
 * starting anything is checked here, so `mcp-gateway validate` and `serve` fail the same way.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
// The one function, not the whole of semver, whose index would add to every start.
import satisfies from 'semver/functions/satisfies.js';
import type { z } from 'zod';
import { ConfigError, fromZodError, type ConfigSource, type KeyPath } from '../config/errors.ts';
import type { GatewayConfig } from '../../kernel/config/schema.ts';
import {
  kernelSections,
  kernelServerKeys,
  upstreamEntrySchema,
  type PluginEntry,
  type UpstreamProtocol,
} from '../../kernel/config/schema.ts';
import { resolvePolicy } from '../../kernel/config/upstream-policy.ts';
import type { UpstreamPolicy } from '../../kernel/config/upstream-policy.ts';
import { ErrorCodes } from '../../kernel/errors.ts';
import { KERNEL_API_VERSION, type PluginDefinition } from '../../kernel/plugin.ts';
import { prepareForeignPlugin } from './foreign-plugin.ts';
import type { ImpliedPlugins, PlannedPlugin, PluginOrigin } from '../../kernel/planned-plugin.ts';
import { builtinsDir, indexFile, resolvePlugin } from './resolve.ts';
import { suggestFix } from './suggest.ts';

export interface PlannedServer {
  readonly name: string;
  readonly type: string;
  readonly prefix: string;
  readonly required: boolean;
  /** The protocol era spoken to it (`protocol:`). */
  readonly protocol: UpstreamProtocol;
  readonly policy: UpstreamPolicy;
  /** The transport plugin's validated settings for this server. */
  readonly settings: unknown;
  readonly plugin: string;
}

export interface GatewayPlan {
  readonly plugins: readonly PlannedPlugin[];
  readonly servers: readonly PlannedServer[];
}

/** A plugin given as a definition already in this process, with its options (`mcp-gateway/testing`). */
export interface GivenPlugin {
  readonly definition: PluginDefinition;
  /** Validated by the plugin's schema; when absent, its `section` of the configuration is. */
  readonly options?: unknown;
}

export interface PlanInput {
  readonly config: GatewayConfig;
  readonly raw: Record<string, unknown>;
  readonly baseDir: string;
  readonly source?: ConfigSource;
  /** `--plugins` entries, resolved against `cwd`, or plugins already in this process. */
  readonly extraPlugins?: readonly (string | GivenPlugin)[];
  readonly cwd?: string;
  readonly builtins?: string;
}

interface Request {
  readonly use: string | PluginDefinition;
  readonly options: { given: boolean; value: unknown };
  readonly path: KeyPath;
  readonly baseDir: string;
  readonly from: string;
}

export async function planGateway(input: PlanInput): Promise<GatewayPlan> {
  const requests = await pluginRequests(input);
  const plugins: PlannedPlugin[] = [];
  const claimed = new Map<string, PlannedPlugin>();
  for (const request of requests) {
    const plugin = await loadPlugin(request, plugins, input);
    plugins.push(plugin);
    for (const section of sectionsOf(plugin.definition)) claimed.set(section, plugin);
  }
  await checkSections(input, claimed, requests);
  await checkServerTypes(input, plugins);
  return { plugins, servers: planServers(input, plugins) };
}

async function pluginRequests(input: PlanInput): Promise<Request[]> {
  const { config, raw, baseDir } = input;
  const fromConfig = (entry: PluginEntry, index: number): Request | undefined => {
    const path = ['plugins', index];
    if (typeof entry === 'string')
      return { use: entry, options: { given: false, value: undefined }, path, baseDir, from: `plugins[${index}]` };
    if (!entry.enabled) return undefined;
    return {
      use: entry.use,
      options: { given: entry.options !== undefined, value: entry.options },
      path: [...path, 'use'],
      baseDir,
      from: `plugins[${index}]`,
    };
  };
  let listed: Request[];
  if (config.plugins) {
    listed = config.plugins.flatMap((entry, index) => fromConfig(entry, index) ?? []);
  } else {
    const implied = await importImplied(input.builtins ?? builtinsDir);
    listed = implied(config, new Set(Object.keys(raw))).map((use) => ({
      use,
      options: { given: false, value: undefined },
      path: [],
      baseDir,
      from: 'implied',
    }));
  }
  const extra = (input.extraPlugins ?? []).map((entry) => ({
    use: typeof entry === 'string' ? entry : entry.definition,
    options:
      typeof entry === 'string' || !('options' in entry)
        ? { given: false, value: undefined }
        : { given: true, value: entry.options },
    path: [],
    baseDir: input.cwd ?? process.cwd(),
    from: typeof entry === 'string' ? '--plugins' : 'in-process',
  }));
  return [...listed, ...extra];
}

async function importImplied(dir: string): Promise<ImpliedPlugins> {
  const file = indexFile(dir) ?? join(dir, 'index.ts');
  const module = (await import(pathToFileURL(file).href)) as { impliedPlugins?: ImpliedPlugins };
  if (typeof module.impliedPlugins !== 'function') throw new Error(`${file} does not export impliedPlugins`);
  return module.impliedPlugins;
}

async function loadPlugin(
  request: Request,
  earlier: readonly PlannedPlugin[],
  input: PlanInput,
): Promise<PlannedPlugin> {
  const { source } = input;
  const where = { source: request.from === '--plugins' ? undefined : source, path: request.path };
  const { definition, origin, file } =
    typeof request.use === 'string'
      ? await importPlugin(request.use, request.baseDir, where, input)
      : { definition: request.use, origin: 'in-process' as const, file: 'in-process' };
  const label = typeof request.use === 'string' ? request.use : request.use.name;
  const invalid = (problem: string) =>
    new ConfigError(`plugin "${label}" ${problem}`, {
      ...where,
      code: ErrorCodes.PLUGIN_INVALID,
      fix: 'export default definePlugin({ name, version, setup }) from the module',
    });
  if (!definition || typeof definition !== 'object') throw invalid('exports no plugin definition');
  if (typeof definition.name !== 'string' || !definition.name) throw invalid('has no name');
  if (typeof definition.version !== 'string') throw invalid('has no version');
  if (typeof definition.setup !== 'function') throw invalid('has no setup function');
  const named = { ...where, plugin: definition.name };

  const twin = earlier.find((p) => p.definition.name === definition.name);
  if (twin) {
    throw new ConfigError(`plugin "${definition.name}" is loaded twice (also from ${twin.from})`, {
      ...named,
      code: ErrorCodes.PLUGIN_DUPLICATE,
      fix: 'list it once',
    });
  }
  if (definition.kernel && !satisfies(KERNEL_API_VERSION, definition.kernel)) {
    throw new ConfigError(
      `plugin "${definition.name}" needs kernel API ${definition.kernel}; this gateway has ${KERNEL_API_VERSION}`,
      {
        ...named,
        code: ErrorCodes.PLUGIN_KERNEL,
        fix: 'use a version of the plugin written for this gateway',
      },
    );
  }
  for (const required of definition.requires ?? []) {
    if (!earlier.some((p) => p.definition.name === required)) {
      throw new ConfigError(`plugin "${definition.name}" requires plugin "${required}" to be loaded before it`, {
        ...named,
        code: ErrorCodes.PLUGIN_REQUIRES,
        fix: `add "${required}" to plugins: above "${definition.name}"`,
      });
    }
  }
  return {
    definition,
    options: validateOptions(definition, request, input),
    origin,
    file,
    from: request.from,
  };
}

/** The definition a plugin module exports (default, or `plugin`), and where it came from. */
async function importPlugin(
  use: string,
  baseDir: string,
  where: { source: ConfigSource | undefined; path: KeyPath },
  input: PlanInput,
): Promise<{ definition: PluginDefinition | undefined; origin: PluginOrigin; file: string }> {
  const resolved = resolvePlugin(use, { ...where, baseDir, builtins: input.builtins });
  try {
    if (resolved.origin !== 'builtin') await prepareForeignPlugin();
    const module = (await import(pathToFileURL(resolved.file).href)) as Record<string, unknown>;
    return { ...resolved, definition: (module.default ?? module.plugin) as PluginDefinition | undefined };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ConfigError(`plugin "${use}" failed to load: ${reason}`, {
      ...where,
      code: ErrorCodes.PLUGIN_INVALID,
      fix: `fix ${resolved.file}`,
    });
  }
}

function sectionsOf(definition: PluginDefinition): readonly string[] {
  const { section } = definition;
  return section === undefined ? [] : typeof section === 'string' ? [section] : section;
}

function validateOptions(definition: PluginDefinition, request: Request, input: PlanInput): unknown {
  const sections = sectionsOf(definition);
  let value: unknown;
  let prefix: KeyPath;
  if (request.options.given) {
    value = request.options.value;
    prefix = [...request.path.slice(0, 2), 'options'];
  } else if (typeof definition.section === 'string') {
    value = input.raw[definition.section];
    prefix = [definition.section];
  } else if (sections.length > 0) {
    value = Object.fromEntries(sections.filter((s) => s in input.raw).map((s) => [s, input.raw[s]]));
    prefix = [];
  } else {
    value = undefined;
    prefix = request.path;
  }
  const schema = definition.configSchema as z.ZodType | undefined;
  if (!schema) {
    if (value === undefined) return undefined;
    throw new ConfigError(`plugin "${definition.name}" takes no options`, {
      source: input.source,
      path: prefix,
      code: ErrorCodes.PLUGIN_OPTIONS,
      plugin: definition.name,
      fix: 'remove them',
    });
  }
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  throw fromZodError(parsed.error, {
    source: request.from === '--plugins' ? undefined : input.source,
    prefix,
    schema,
    input: value,
    plugin: definition.name,
    code: ErrorCodes.PLUGIN_OPTIONS,
  });
}

/** Every top-level section must be the kernel's or read by a loaded plugin. */
async function checkSections(
  input: PlanInput,
  claimed: ReadonlyMap<string, PlannedPlugin>,
  requests: readonly Request[],
): Promise<void> {
  for (const key of Object.keys(input.raw)) {
    if (kernelSections.includes(key)) continue;
    const owner = claimed.get(key);
    if (!owner) {
      const loaded = [...claimed.values()].map((p) => p.definition.name);
      const fix = await suggestFix(key, {
        ...suggesting(input, loaded),
        known: [...kernelSections, ...claimed.keys()],
        namesOf: sectionsOf,
      });
      throw new ConfigError(`section "${key}" is not read by the kernel or by any loaded plugin`, {
        source: input.source,
        path: [key],
        fix: fix ?? 'add the plugin that reads it to plugins:, or remove the section',
      });
    }
    const request = requests.find((r) => r.from === owner.from);
    if (request?.options.given) {
      throw new ConfigError(
        `section "${key}" is ignored because ${owner.from} gives plugin "${owner.definition.name}" its options`,
        {
          source: input.source,
          path: [key],
          code: ErrorCodes.PLUGIN_OPTIONS,
          fix: 'keep the options in one place',
        },
      );
    }
  }
}

/** What suggestFix needs besides the word and the names to match it with. */
const suggesting = (input: PlanInput, loaded: readonly string[]) => ({
  loaded,
  builtins: input.builtins,
  listed: input.config.plugins !== undefined,
});

const transportTypes = (definition: PluginDefinition) => (definition.transport ? [definition.transport.type] : []);

/** Every server's type must be a loaded transport plugin's. */
async function checkServerTypes(input: PlanInput, plugins: readonly PlannedPlugin[]): Promise<void> {
  const types = plugins.flatMap((p) => transportTypes(p.definition));
  const index = input.config.proxy.servers.findIndex((server) => !types.includes(server.type));
  if (index < 0) return;
  const { type } = input.config.proxy.servers[index]!;
  const loaded = plugins.map((p) => p.definition.name);
  const fix = await suggestFix(type, { ...suggesting(input, loaded), known: types, namesOf: transportTypes });
  throw new ConfigError(`no loaded plugin connects to servers of type "${type}"`, {
    source: input.source,
    path: ['proxy', 'servers', index, 'type'],
    code: ErrorCodes.TRANSPORT_MISSING,
    fix:
      fix ??
      (types.length
        ? `use one of ${types.join(', ')}, or load a plugin for "${type}"`
        : `load a transport plugin for "${type}"`),
  });
}

function planServers(input: PlanInput, plugins: readonly PlannedPlugin[]): PlannedServer[] {
  const { config } = input;
  return config.proxy.servers.map((server, index) => {
    const path = ['proxy', 'servers', index];
    const plugin = plugins.find((p) => p.definition.transport?.type === server.type)!;
    const { connection, ...entry } = server as Record<string, unknown> & { connection?: Record<string, unknown> };
    for (const key of kernelServerKeys) delete entry[key];
    const { timeout, ...transportConnection } = connection ?? {};
    const settingsInput = connection === undefined ? entry : { ...entry, connection: transportConnection };
    const schema = plugin.definition.transport!.schema;
    const parsed = schema.safeParse(settingsInput);
    if (!parsed.success) {
      // The kernel's keys are matched too: `prefx:` is the kernel's `prefix:` misspelt.
      const schemas = [schema, upstreamEntrySchema];
      throw fromZodError(parsed.error, {
        source: input.source,
        prefix: path,
        schema: schemas,
        input: settingsInput,
        plugin: plugin.definition.name,
      });
    }
    return {
      name: server.name,
      type: server.type,
      prefix: server.prefix ?? server.name,
      required: server.required,
      protocol: server.protocol,
      policy: resolvePolicy(
        config.proxy,
        server,
        (timeout as number | undefined) ?? config.proxy.timeout,
        plugin.definition.transport!.sessions ?? 'shared',
      ),
      settings: parsed.data,
      plugin: plugin.definition.name,
    };
  });
}
