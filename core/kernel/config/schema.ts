/**
 * The kernel's part of the configuration. Sections that belong to plugins (`oauth`, `auth`,
 * `cors`, ...) are validated by those plugins' own schemas; a top-level key that neither the
 * kernel nor a loaded plugin claims is an error, so a typo never silently disables a feature.
 */
import { z } from 'zod';
import { endpointIssues, endpointsSchema } from './endpoints.ts';
import { duration, size } from './units.ts';
import { policyDefaults, policyOverrideKeys, policyOverrides } from './upstream-policy.ts';

/** What `protocol:` of a server may say; see `UpstreamProtocol`. */
const upstreamProtocols = ['auto', '2026-07-28', '2025-11-25'] as const;

/**
 * The protocol era the gateway speaks to one upstream server: `auto` probes it with
 * `server/discover` (2026-07-28 if it answers as a server of that era, else 2025-11-25 with
 * `initialize`); a version pins that era.
 */
export type UpstreamProtocol = (typeof upstreamProtocols)[number];

/** Server names and prefixes end up in tool names, so they use the MCP tool-name alphabet. */
const nameAlphabet = /^[A-Za-z0-9_.-]+$/;

/** The kernel's fields of a `proxy.servers` entry; the transport plugin validates the rest. */
export const upstreamEntrySchema = z.looseObject({
  name: z.string().regex(nameAlphabet, 'use letters, digits, "_", "-" or "." (it becomes part of tool names)'),
  type: z.string().min(1),
  /** Replaces the server name in exposed names; "" exposes the upstream's names unchanged. */
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9_.-]*$/, 'use letters, digits, "_", "-" or "."')
    .optional(),
  /** A required upstream that is down makes `/ready` fail. */
  required: z.boolean().default(false),
  /** The protocol era spoken to the server: `auto` asks it (`server/discover`), falling back to 2025-11-25. */
  protocol: z.enum(upstreamProtocols).default('auto'),
  ...policyOverrides,
  connection: z.looseObject({ timeout: duration.optional() }).optional(),
});

/** Keys of a server entry that the kernel owns; everything else goes to the transport's schema. */
export const kernelServerKeys = ['name', 'type', 'prefix', 'required', 'protocol', ...policyOverrideKeys];

export const pluginEntrySchema = z.union([
  z.string().min(1),
  z.strictObject({
    /** A built-in name, a path (relative to the config file) or an npm package. */
    use: z.string().min(1),
    /** The plugin's options; when absent, the plugin reads its own config section(s). */
    options: z.unknown().optional(),
    enabled: z.boolean().default(true),
  }),
]);

const logLevel = z
  .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent', 'none'])
  .transform((level) => (level === 'none' ? 'silent' : level));

const kernelSectionsSchema = z.looseObject({
  server: z
    .strictObject({
      /** The gateway's public URL: its OAuth resource identifier and the base of its metadata URLs. */
      url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://mcp.example.com' }).optional(),
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8082),
      /** Origins allowed to call /mcp from a browser; "*" allows any. */
      allowed_origins: z.array(z.string().min(1)).optional(),
      max_body_size: size.default(4 * 1024 * 1024),
    })
    .prefault({}),
  logging: z
    .strictObject({
      level: logLevel.default('info'),
      format: z.enum(['json', 'text']).default('json'),
    })
    .prefault({}),
  sessions: z
    .strictObject({
      /** A session unused this long is closed. */
      idle_ttl: duration.prefault('30m'),
      /** Past this many open sessions, new ones are refused. */
      max: z.number().int().positive().default(10_000),
    })
    .prefault({}),
  stateless: z
    .strictObject({
      /**
       * Signs the `requestState` of `input_required` results (at least 32 characters). Replicas
       * behind one load balancer share it; unset, each replica makes its own.
       */
      request_state_key: z.string().min(32, 'use at least 32 characters').optional(),
      /** How long an upstream call that asked the client for input waits for the client's retry. */
      input_timeout: duration.prefault('5m'),
    })
    .prefault({}),
  shutdown: z
    .strictObject({
      /** How long in-flight requests may take to finish once a stop is asked for. */
      timeout: duration.prefault('10s'),
    })
    .prefault({}),
  proxy: z
    .strictObject({
      /** Between prefix and name in exposed tool names. `__` is accepted by every client; `:` is available. */
      separator: z
        .string()
        .regex(/^\S{1,8}$/, 'use 1 to 8 non-space characters')
        .default('__'),
      ...policyDefaults,
      /** Lists longer than this are paginated for clients (0: never). */
      page_size: z.number().int().min(0).default(1000),
      servers: z.array(upstreamEntrySchema).default([]),
    })
    .prefault({})
    .superRefine((proxy, ctx) => {
      const byName = new Map<string, number>();
      const byPrefix = new Map<string, number>();
      proxy.servers.forEach((server, index) => {
        const twin = byName.get(server.name);
        if (twin !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['servers', index, 'name'],
            message: `duplicate server name "${server.name}" (also proxy.servers[${twin}])`,
            params: { fix: 'give every server its own name' },
          });
        }
        byName.set(server.name, index);
        const prefix = server.prefix ?? server.name;
        if (prefix === '') return;
        const other = byPrefix.get(prefix);
        if (other !== undefined && twin === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['servers', index, server.prefix === undefined ? 'name' : 'prefix'],
            message: `prefix "${prefix}" is already used by proxy.servers[${other}]; names would clash`,
            params: { fix: 'set a distinct prefix: on one of them' },
          });
        }
        byPrefix.set(prefix, index);
      });
    }),
  /** Virtual MCP endpoints beside `/mcp` (see endpoints.ts). */
  endpoints: endpointsSchema,
  plugins: z.array(pluginEntrySchema).optional(),
});

/** The sections, and what only their combination tells: endpoints naming servers, and their paths. */
export const kernelConfigSchema = kernelSectionsSchema.superRefine((config, ctx) => {
  for (const issue of endpointIssues(config.endpoints, config.proxy.servers)) {
    ctx.addIssue({
      code: 'custom',
      path: ['endpoints', ...issue.path],
      message: issue.message,
      ...(issue.fix && { params: { fix: issue.fix } }),
    });
  }
});

export type KernelConfig = z.output<typeof kernelConfigSchema>;
/** The validated kernel configuration that the kernel and plugins read. */
export type GatewayConfig = Readonly<KernelConfig>;
export type UpstreamEntry = z.output<typeof upstreamEntrySchema>;
export type PluginEntry = z.output<typeof pluginEntrySchema>;

/** The kernel's own top-level sections; any other top-level key must belong to a loaded plugin. */
export const kernelSections = Object.keys(kernelConfigSchema.shape);
