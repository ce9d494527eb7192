/**
 * The tools plugins serve themselves (kernel API 1.5), as the catalogue takes them: one source
 * per plugin, named after it, with no prefix and no `onCatalogue` shaping (a plugin names its own
 * tools), listed before the upstreams so that an upstream tool of the same name is the one refused.
 */
import { ErrorCodes, GatewayError } from '../kernel/errors.ts';
import type { ServedTool } from '../kernel/served-tool.ts';
import type { CatalogueSource } from './catalogue.ts';

export class ServedTools {
  readonly sources: readonly CatalogueSource[];
  readonly #byKey: ReadonlyMap<string, ServedTool>;
  readonly #plugins: ReadonlySet<string>;

  constructor(tools: readonly ServedTool[], servers: readonly string[]) {
    const byPlugin = new Map<string, ServedTool[]>();
    for (const tool of tools) {
      if (!byPlugin.has(tool.plugin)) byPlugin.set(tool.plugin, []);
      byPlugin.get(tool.plugin)!.push(tool);
    }
    for (const plugin of byPlugin.keys()) {
      if (servers.includes(plugin))
        throw new GatewayError(
          ErrorCodes.CONFIG,
          `server "${plugin}" has the name of the plugin "${plugin}", whose own tools are listed as that server's: rename the server`,
        );
    }
    this.#plugins = new Set(byPlugin.keys());
    this.#byKey = new Map(tools.map((tool) => [key(tool.plugin, tool.definition.name), tool]));
    this.sources = [...byPlugin].map(([plugin, served]) => ({
      name: plugin,
      prefix: '',
      lists: {
        server: plugin,
        ready: true,
        tools: served.map(({ definition }) => ({ server: plugin, name: definition.name, value: definition })),
        prompts: [],
        resources: [],
        resourceTemplates: [],
      },
    }));
  }

  /** Whether `server` is a plugin serving tools. */
  serves(server: string): boolean {
    return this.#plugins.has(server);
  }

  find(server: string, tool: string): ServedTool | undefined {
    return this.#byKey.size === 0 ? undefined : this.#byKey.get(key(server, tool));
  }
}

const key = (plugin: string, tool: string) => `${plugin}\u0000${tool}`;
