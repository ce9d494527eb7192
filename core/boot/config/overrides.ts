/**
 * Settings that can come from the command line or the environment as well as the file. Flags
 * override the environment, which overrides the file. A `MCP_GATEWAY_*` variable the gateway does
 * not know is an error (a typo must not be silently ignored), except the ones Kubernetes injects
 * for a Service named `mcp-gateway` (`MCP_GATEWAY_SERVICE_HOST`, `MCP_GATEWAY_PORT=tcp://...`).
 */
import { ErrorCodes } from '../../kernel/errors.ts';
import { closest } from '../../kernel/closest.ts';
import { ConfigError } from './errors.ts';

export interface Overrides {
  host?: string;
  port?: number;
  logLevel?: string;
  logFormat?: string;
}

/** Environment variables and the setting each one maps to. */
export const environmentSettings = {
  MCP_GATEWAY_CONFIG: 'the configuration file (like --config)',
  MCP_GATEWAY_PLUGINS: 'extra plugins, comma-separated (like --plugins)',
  MCP_GATEWAY_HOST: 'server.host (like --host)',
  MCP_GATEWAY_PORT: 'server.port (like --port)',
  MCP_GATEWAY_LOG_LEVEL: 'logging.level (like --log-level)',
  MCP_GATEWAY_LOG_FORMAT: 'logging.format (like --log-format)',
} as const;

const kubernetesServiceLink = /^MCP_GATEWAY_(SERVICE_HOST|SERVICE_PORT(_.+)?|PORT_\d+_(TCP|UDP|SCTP)(_.+)?)$/;
const isServiceLinkPort = (value: string) => /^(tcp|udp|sctp):\/\//.test(value);

export function parsePort(text: string, from: string): number {
  const port = /^\d{1,5}$/.test(text.trim()) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new ConfigError(`${from}: "${text}" is not a port number`, {
      path: [],
      code: ErrorCodes.USAGE,
      fix: 'give a number from 0 to 65535',
    });
  }
  return port;
}

/** The overrides the environment asks for, checking that every MCP_GATEWAY_* variable is known. */
export function environmentOverrides(env: NodeJS.ProcessEnv): Overrides {
  const known = Object.keys(environmentSettings);
  for (const name of Object.keys(env)) {
    if (!name.startsWith('MCP_GATEWAY_') || known.includes(name) || kubernetesServiceLink.test(name)) continue;
    const guess = closest(name, known);
    throw new ConfigError(`environment variable ${name} is not a gateway setting`, {
      path: [],
      fix: guess ? `did you mean ${guess}?` : `unset it; known: ${known.join(', ')}`,
    });
  }
  const overrides: Overrides = {};
  if (env.MCP_GATEWAY_HOST) overrides.host = env.MCP_GATEWAY_HOST;
  if (env.MCP_GATEWAY_PORT && !isServiceLinkPort(env.MCP_GATEWAY_PORT)) {
    overrides.port = parsePort(env.MCP_GATEWAY_PORT, 'MCP_GATEWAY_PORT');
  }
  if (env.MCP_GATEWAY_LOG_LEVEL) overrides.logLevel = env.MCP_GATEWAY_LOG_LEVEL;
  if (env.MCP_GATEWAY_LOG_FORMAT) overrides.logFormat = env.MCP_GATEWAY_LOG_FORMAT;
  return overrides;
}

/** The configuration with the overrides applied, for validation by the schema. */
export function applyOverrides(raw: Record<string, unknown>, overrides: Overrides): Record<string, unknown> {
  return {
    ...raw,
    server: withValues(raw.server, { host: overrides.host, port: overrides.port }),
    logging: withValues(raw.logging, { level: overrides.logLevel, format: overrides.logFormat }),
  };
}

/** A section with the given values set over its own; one that is not a mapping is kept for the schema to report. */
function withValues(section: unknown, values: Record<string, unknown>): unknown {
  if (section != null && (typeof section !== 'object' || Array.isArray(section))) return section;
  const result = { ...(section as Record<string, unknown> | null | undefined) };
  for (const [key, value] of Object.entries(values)) if (value !== undefined) result[key] = value;
  return result;
}
