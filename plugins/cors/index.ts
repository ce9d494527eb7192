/**
 * CORS for browser MCP clients, with the original gateway's options (`cors:` section), answering
 * preflights itself and letting a browser read what MCP needs (`Mcp-Session-Id`,
 * `Mcp-Protocol-Version`, `WWW-Authenticate`). Its origin list is also the one `/mcp` checks
 * against DNS rebinding (it provides the kernel's `origin-policy`): one allow list, not two.
 * Built on Hono's CORS middleware.
 */
import { cors } from 'hono/cors';
import { definePlugin, type Logger, z } from 'mcp-gateway';
import { defaultAllowedOrigins, originMatcher } from 'mcp-gateway/http';

/** Request headers an MCP client sends; always allowed, whatever `allowed_headers` adds. */
const mcpRequestHeaders = [
  'Content-Type',
  'Authorization',
  'Mcp-Session-Id',
  'Mcp-Protocol-Version',
  'Last-Event-ID',
  'X-Request-Id',
];
/** Response headers a browser client must read: the session id, the version, the auth challenge. */
const mcpResponseHeaders = [
  'Mcp-Session-Id',
  'Mcp-Protocol-Version',
  'WWW-Authenticate',
  'X-Request-Id',
  'Retry-After',
];

export const corsOptions = z.strictObject({
  /** false: no CORS headers at all (browsers on other origins cannot call the gateway). */
  enabled: z.boolean().default(true),
  /** Origins allowed, exact or with `*` wildcards; `["*"]` allows any. Default: server.allowed_origins, else loopback and the gateway's own. */
  allowed_origins: z.array(z.string().min(1)).min(1).optional(),
  allowed_methods: z
    .array(z.string().regex(/^[A-Z]+$/, 'an HTTP method in capitals'))
    .default(['GET', 'POST', 'PUT', 'DELETE']),
  /** Added to the headers MCP needs (Content-Type, Authorization, Mcp-Session-Id, ...). */
  allowed_headers: z.array(z.string().min(1)).default(['Content-Type', 'Authorization']),
  allow_credentials: z.boolean().default(true),
  /** How long a browser may cache a preflight answer. */
  max_age: z.number().int().min(0).default(600),
});

export default definePlugin({
  name: 'cors',
  version: '1.0.0',
  kernel: '^1.0.0',
  section: 'cors',
  configSchema: corsOptions,
  setup(ctx) {
    const { config, logger, gateway } = ctx;
    if (!ctx.options.enabled) return void logger.info('CORS is off (cors.enabled: false)');
    /** The policy in force: the origin check and Hono's middleware, both replaced whole by a reload. */
    let policy = corsPolicy(ctx.options, config.server.allowed_origins, () => gateway.urls.base, logger);
    ctx.provide('origin-policy', { allows: (origin) => policy.allows(origin) });
    return {
      onRequest: {
        // Before authentication: a preflight carries no credentials, and a 401 must still be readable.
        order: 'pre',
        handler: (c, next) => policy.middleware(c, next),
      },
      onReload({ options }) {
        if (!options.enabled) throw new Error('turning CORS off takes a restart (cors.enabled: false)');
        policy = corsPolicy(options, config.server.allowed_origins, () => gateway.urls.base, logger);
        logger.info({ allowed_origins: options.allowed_origins ?? 'default' }, 'CORS options reloaded');
      },
    };
  },
});

function corsPolicy(
  options: z.output<typeof corsOptions>,
  serverOrigins: readonly string[] | undefined,
  baseUrl: () => string,
  logger: Logger,
) {
  const origins = options.allowed_origins ?? serverOrigins;
  // The gateway's own origin is only known once it listens (port 0): compute the default lazily.
  let matcher: ((origin: string | undefined) => boolean) | undefined;
  const allows = (origin: string | undefined) =>
    (matcher ??= originMatcher(origins ?? defaultAllowedOrigins(baseUrl())))(origin);
  if (origins?.includes('*')) {
    logger.warn(
      'cors.allowed_origins includes "*": any web page may call the gateway from a browser, and /mcp no longer refuses foreign origins; keep authentication on',
    );
  }
  const middleware = cors({
    // The origin itself, never "*": a credentialed request needs it echoed.
    origin: (origin) => (allows(origin) ? origin : null),
    allowMethods: [...new Set([...options.allowed_methods, 'OPTIONS'])],
    allowHeaders: [...new Set([...mcpRequestHeaders, ...options.allowed_headers])],
    exposeHeaders: mcpResponseHeaders,
    credentials: options.allow_credentials,
    maxAge: options.max_age,
  });
  return { allows, middleware };
}
