/**
 * Everything `serve` and `validate` share: settle flags, environment and file into one validated
 * configuration, and plan the plugins. Nothing is started here.
 */
import type { ConfigLocation } from '../boot/config/load.ts';
import { loadConfig, locateConfig } from '../boot/config/load.ts';
import { applyOverrides, environmentOverrides, parsePort, type Overrides } from '../boot/config/overrides.ts';
import { parseGatewayConfig } from '../boot/config/gateway-config.ts';
import type { GatewayConfig } from '../kernel/config/schema.ts';
import { planGateway, type GatewayPlan } from '../boot/loader/plan.ts';

export interface CliFlags {
  readonly config?: string;
  readonly plugins?: readonly string[];
  readonly port?: string;
  readonly host?: string;
  readonly logLevel?: string;
  readonly logFormat?: string;
}

export interface Prepared {
  readonly location: ConfigLocation;
  /** The configuration as written (variables substituted), plugin sections included. */
  readonly raw: Record<string, unknown>;
  readonly config: GatewayConfig;
  readonly plan: GatewayPlan;
  readonly baseDir: string;
}

const splitList = (values: readonly string[]) =>
  values
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);

export async function prepare(flags: CliFlags, env: NodeJS.ProcessEnv, cwd: string): Promise<Prepared> {
  const fromEnv = environmentOverrides(env);
  const fromFlags: Overrides = {
    ...(flags.host !== undefined && { host: flags.host }),
    ...(flags.port !== undefined && { port: parsePort(flags.port, '--port') }),
    ...(flags.logLevel !== undefined && { logLevel: flags.logLevel }),
    ...(flags.logFormat !== undefined && { logFormat: flags.logFormat }),
  };
  const location = await locateConfig({ explicit: flags.config, env, cwd });
  const loaded = await loadConfig(location, env);
  const raw = applyOverrides(loaded.raw, { ...fromEnv, ...fromFlags });
  const config = parseGatewayConfig(raw, loaded.source);
  const extraPlugins = splitList(flags.plugins ?? (env.MCP_GATEWAY_PLUGINS ? [env.MCP_GATEWAY_PLUGINS] : []));
  const plan = await planGateway({ config, raw, baseDir: loaded.baseDir, source: loaded.source, extraPlugins, cwd });
  return { location, raw, config, plan, baseDir: loaded.baseDir };
}
