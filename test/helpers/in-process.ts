/** A gateway built in this process, not listening: drive it with `gateway.app.request(...)`. */
import { pino } from 'pino';
import { parseGatewayConfig } from '../../core/boot/config/gateway-config.ts';
import { Gateway } from '../../core/engine/gateway.ts';
import { planGateway } from '../../core/boot/loader/plan.ts';
import { repoRoot } from './processes.ts';

interface PlanOptions {
  /** Extra plugins, as `--plugins` gives them. */
  readonly plugins?: string[];
  readonly baseDir?: string;
}

/** `raw` parsed and planned as the CLI plans a configuration file in `baseDir` (default: the repository). */
export async function planRaw(raw: Record<string, unknown>, options: PlanOptions = {}) {
  const config = parseGatewayConfig(raw);
  const baseDir = options.baseDir ?? repoRoot;
  return {
    config,
    baseDir,
    plan: await planGateway({ config, raw, baseDir, extraPlugins: options.plugins, cwd: baseDir }),
  };
}

export async function startInProcess(raw: Record<string, unknown>, options: PlanOptions = {}): Promise<Gateway> {
  const { config, plan, baseDir } = await planRaw(raw, options);
  const gateway = new Gateway({ config, plan, baseDir, logger: pino({ level: 'silent' }) });
  await gateway.start({ listen: false });
  return gateway;
}

export const PROTOCOL_VERSION = '2025-11-25';

export const mcpHeaders = (sessionId?: string, extra: Record<string, string> = {}): Record<string, string> => ({
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  ...(sessionId ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL_VERSION } : {}),
  ...extra,
});

export const initializeBody = (id = 1, capabilities: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: {
    protocolVersion: PROTOCOL_VERSION,
    capabilities,
    clientInfo: { name: 'in-process-test', version: '1.0.0' },
  },
});

/** The JSON-RPC messages of a response, whether it is JSON or an event stream. */
export async function messagesOf(response: Response): Promise<Record<string, unknown>[]> {
  const text = await response.text();
  if (!response.headers.get('content-type')?.includes('text/event-stream'))
    return [JSON.parse(text) as Record<string, unknown>];
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line.length > 6)
    .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>);
}

/** What answers a request in-process: the engine's Hono app, or `mcp-gateway/testing`'s `TestGateway`. */
export interface RequestTarget {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}

/** Initialize a session (a client with these capabilities) and return its id. */
export async function openSession(
  app: RequestTarget,
  headers: Record<string, string> = {},
  capabilities: Record<string, unknown> = {},
): Promise<string> {
  const response = await app.request('/mcp', {
    method: 'POST',
    headers: mcpHeaders(undefined, headers),
    body: JSON.stringify(initializeBody(1, capabilities)),
  });
  const id = response.headers.get('mcp-session-id');
  await response.text();
  if (!id) throw new Error(`initialize failed: HTTP ${response.status}`);
  const initialized = await app.request('/mcp', {
    method: 'POST',
    headers: mcpHeaders(id, headers),
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  if (initialized.status !== 202) throw new Error(`initialized got HTTP ${initialized.status}`);
  return id;
}

/** One JSON-RPC request in a session; resolves with its response message. */
export async function rpc(
  app: RequestTarget,
  sessionId: string,
  method: string,
  params?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await app.request('/mcp', {
    method: 'POST',
    headers: mcpHeaders(sessionId, headers),
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method, ...(params === undefined ? {} : { params }) }),
  });
  const messages = await messagesOf(response);
  return { status: response.status, message: messages.find((m) => m.id === 7) ?? messages[0]! };
}

/** What SIGHUP does, in-process: plan `raw` as a reloaded configuration (options as for `startInProcess`) and apply it. */
export async function reloadInProcess(
  gateway: Gateway,
  raw: Record<string, unknown>,
  options: PlanOptions = {},
): ReturnType<Gateway['reload']> {
  return gateway.reload(await planRaw(raw, options));
}
