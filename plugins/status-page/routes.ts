/**
 * The page's routes: every one behind the access check, with headers that keep the page to itself
 * (no inline code, no framing, no referrer that would carry a `?token=`, nothing cached).
 */
import type { Context, Handler } from 'hono';
import type { GatewayContext, GatewayEnv, GatewayView, HttpMethod, HttpRoutes, Services } from 'mcp-gateway';
import { type Access, TOKEN_COOKIE } from './access.ts';
import { script, stylesheet } from './assets.ts';
import type { CallStats } from './call-stats.ts';
import { statusPage } from './page.ts';
import { liveFragments, whoSeesWhatResult } from './sections.ts';
import { catalogueEntries, catalogueGenerations, overview } from './snapshot.ts';
import { principalInput, syntheticPrincipal, type WhoSeesWhat, whoSeesWhat } from './who-sees-what.ts';

export interface StatusRoutesOptions {
  readonly path: string;
  readonly refreshMs: () => number;
  readonly access: () => Access;
  readonly gateway: GatewayView;
  readonly stats: CallStats;
  readonly permissions: () => Services['permissions'] | undefined;
}

const securityHeaders = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export function registerStatusRoutes(http: HttpRoutes, options: StatusRoutesOptions): void {
  const { path, gateway, stats } = options;
  // The events of the requests answered so far first, so that a call just made is counted.
  const fresh = () => gateway.eventsDelivered().then(() => overview(gateway, stats));
  const generationOf = catalogueGenerations();
  const catalogue = () => ({ generation: generationOf(gateway), entries: catalogueEntries(gateway) });
  const route = (method: HttpMethod, sub: string, handler: (c: GatewayContext) => Response | Promise<Response>) =>
    http.route(method, `${path}${sub}`, guarded(options.access, path, handler), {
      auth: options.access().routeAuth,
      name: `status-page${sub.replace(/\//g, ':') || ':page'}`,
      polled: sub.startsWith('/api/') || sub.startsWith('/fragments/live') || sub.startsWith('/assets/'),
    });

  const whoFor = (body: unknown): { ok: true; result: WhoSeesWhat } | { ok: false; error: string } => {
    const input = principalInput.safeParse(body);
    if (!input.success) return { ok: false, error: input.error.issues.map((i) => i.message).join('; ') };
    const { endpoint } = input.data;
    const endpoints = gateway.endpoints().map((e) => e.name);
    if (!endpoints.includes(endpoint)) {
      return {
        ok: false,
        error: `no endpoint is named ${JSON.stringify(endpoint)} (there are: ${endpoints.join(', ')})`,
      };
    }
    const principal = syntheticPrincipal(input.data);
    const entries = catalogueEntries(gateway, endpoint);
    return { ok: true, result: whoSeesWhat(principal, endpoint, entries, options.permissions()) };
  };

  route('GET', '', async (c) =>
    c.html(
      await statusPage(
        { path, refreshMs: options.refreshMs(), endpoints: gateway.endpoints().map((e) => e.name) },
        await fresh(),
        catalogue(),
      ),
    ),
  );
  route('GET', '/assets/status.css', (c) => c.body(stylesheet, 200, { 'content-type': 'text/css; charset=utf-8' }));
  route('GET', '/assets/status.js', (c) => c.body(script, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
  route('GET', '/fragments/live', async (c) => {
    const unchanged = c.req.query('catalogue') === String(generationOf(gateway));
    return c.html(await liveFragments(await fresh(), unchanged ? undefined : catalogue()));
  });
  route('POST', '/fragments/who-sees-what', async (c) => {
    const answer = whoFor(await c.req.parseBody());
    return answer.ok ? c.html(await whoSeesWhatResult(answer.result)) : c.text(answer.error, 400);
  });

  route('GET', '/api/overview', async (c) => c.json(await fresh()));
  route('GET', '/api/upstreams', async (c) => c.json({ upstreams: (await fresh()).upstreams }));
  route('GET', '/api/catalogue', (c) => c.json({ items: catalogueEntries(gateway) }));
  route('GET', '/api/plan', (c) => c.json(gateway.plan()));
  route('GET', '/api/sessions', (c) => c.json(gateway.sessions()));
  route('POST', '/api/who-sees-what', async (c) => {
    const body: unknown = await c.req.json().catch(() => undefined);
    const answer = whoFor(body ?? {});
    return answer.ok ? c.json(answer.result) : c.json({ error: answer.error }, 400);
  });
}

function guarded(
  access: () => Access,
  path: string,
  handler: (c: GatewayContext) => Response | Promise<Response>,
): Handler<GatewayEnv> {
  return async function statusPageAccess(c) {
    for (const [name, value] of Object.entries(securityHeaders)) c.header(name, value);
    const current = access();
    const linked = c.req.query('token');
    if (linked !== undefined && current.tokenMatches) return tokenLink(c, path, current.tokenMatches(linked), linked);
    const verdict = current.check(c);
    return verdict.allowed ? handler(c) : refusal(c, verdict.status);
  };
}

/** A link with the page's token: kept in a cookie only the page's paths receive, and out of the address bar. */
function tokenLink(c: Context, path: string, valid: boolean, token: string): Response {
  if (!valid) return refusal(c, 401);
  const secure = new URL(c.req.url).protocol === 'https:' ? '; Secure' : '';
  c.header(
    'set-cookie',
    `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=${path}; HttpOnly; SameSite=Strict${secure}`,
  );
  return c.redirect(path, 303);
}

function refusal(c: Context, status: 401 | 403): Response {
  if (status === 401) c.header('www-authenticate', 'Bearer realm="mcp-gateway status"');
  return c.text(status === 401 ? 'Unauthorized: the status page needs credentials' : 'Forbidden', status);
}
