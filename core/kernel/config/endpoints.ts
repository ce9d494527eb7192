/**
 * `endpoints:`, the virtual MCP endpoints: each a path of its own serving a part of the one
 * catalogue (some servers, some tools, prompts and resources by glob), from the same upstream
 * connections. The implicit `default` endpoint is `/mcp` with everything; `endpoints.default` may
 * narrow it, never move it.
 */
import { z } from 'zod';
import { closest } from '../closest.ts';

/** The name of `/mcp`'s endpoint. */
export const DEFAULT_ENDPOINT = 'default';
export const DEFAULT_ENDPOINT_PATH = '/mcp';

/**
 * Paths the gateway's own routes and discovery documents live under: an endpoint there would be
 * shadowed by them, or shadow them. The plugins' routes are checked again when they are known.
 */
export const RESERVED_PATHS = ['/live', '/ready', '/metrics', '/status', '/.well-known'];

const globs = z.array(z.string().min(1)).min(1).optional();

const endpointSchema = z.strictObject({
  path: z
    .string()
    .regex(
      /^(\/[A-Za-z0-9._~-]+)+$/,
      'use a path such as /mcp/dev (letters, digits, ".", "_", "~", "-"; no trailing /)',
    )
    .optional(),
  /** The servers (their `name` in `proxy.servers`) whose items it serves; default: every one. */
  servers: z.array(z.string().min(1)).min(1).optional(),
  /** Globs (`*`) over exposed tool names (after the prefix); default: every tool. */
  tools: globs,
  /** Globs over exposed prompt names; default: every prompt. */
  prompts: globs,
  /** Globs over exposed resource URIs and URI templates; default: every resource. */
  resources: globs,
});

export const endpointsSchema = z.record(z.string(), endpointSchema).default({});

export type EndpointConfig = z.output<typeof endpointSchema>;

type Issue = { path: (string | number)[]; message: string; fix?: string };

/** What is wrong across `endpoints:` and `proxy.servers`: paths taken twice or reserved, servers unknown. */
export function endpointIssues(
  endpoints: Readonly<Record<string, EndpointConfig>>,
  servers: readonly { name: string }[],
): Issue[] {
  const issues: Issue[] = [];
  const known = servers.map((s) => s.name);
  const byPath = new Map<string, string>([[DEFAULT_ENDPOINT_PATH, DEFAULT_ENDPOINT]]);
  for (const [name, endpoint] of Object.entries(endpoints)) {
    const { path } = endpoint;
    if (!/^[a-z0-9-]+$/.test(name))
      issues.push({
        path: [name],
        message: `endpoint name "${name}" is not lowercase letters, digits and "-"`,
        fix: `name it "${name.toLowerCase().replace(/[^a-z0-9-]/g, '-')}"`,
      });
    if (name === DEFAULT_ENDPOINT) {
      if (path !== undefined && path !== DEFAULT_ENDPOINT_PATH)
        issues.push({
          path: [name, 'path'],
          message: `the default endpoint is always ${DEFAULT_ENDPOINT_PATH}`,
          fix: 'remove path:, or give this endpoint another name',
        });
    } else if (path === undefined) {
      issues.push({ path: [name], message: `endpoint "${name}" has no path`, fix: `add path: /mcp/${name}` });
    } else {
      const reserved = RESERVED_PATHS.find((r) => path === r || path.startsWith(`${r}/`));
      const twin = byPath.get(path);
      const fix = `choose another path, e.g. /mcp/${name}`;
      if (reserved)
        issues.push({ path: [name, 'path'], message: `path ${path} is the gateway's own (${reserved})`, fix });
      else if (twin)
        issues.push({ path: [name, 'path'], message: `path ${path} is already endpoint "${twin}"'s`, fix });
      byPath.set(path, name);
    }
    endpoint.servers?.forEach((server, index) => {
      if (known.includes(server)) return;
      const guess = closest(server, known);
      issues.push({
        path: [name, 'servers', index],
        message: `no server is named "${server}" in proxy.servers`,
        fix: guess ? `did you mean "${guess}"?` : `name one of: ${known.join(', ') || '(none configured)'}`,
      });
    });
  }
  return issues;
}
