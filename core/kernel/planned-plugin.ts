/** A plugin as the boot planned it (core/boot/loader): what the kernel sets up, in order. */
import type { GatewayConfig } from './config/schema.ts';
import type { PluginDefinition } from './plugin.ts';

/** Where a plugin came from: `in-process` is a definition given as an object (`mcp-gateway/testing`). */
export type PluginOrigin = 'builtin' | 'path' | 'package' | 'in-process';

/** What `plugins/index.ts` exports: the built-ins a configuration implies when it lists none. */
export type ImpliedPlugins = (config: GatewayConfig, sections: ReadonlySet<string>) => string[];

export interface PlannedPlugin {
  readonly definition: PluginDefinition;
  readonly options: unknown;
  readonly origin: PluginOrigin;
  readonly file: string;
  /** Where the plugin was asked for: `plugins[2]`, `--plugins`, `implied`, or `in-process`. */
  readonly from: string;
}
