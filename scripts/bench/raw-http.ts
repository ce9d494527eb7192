/**
 * MCP over plain HTTP requests on keep-alive connections, without the SDK client: for measuring
 * the server's side alone (no schema validation of what comes back) and for opening many sessions
 * at little cost to this process.
 */
import { Agent, request } from 'node:http';

const protocolVersion = '2025-06-18';
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export interface Reply {
  readonly status: number;
  readonly sessionId: string | undefined;
  readonly body: Buffer;
}

export function send(
  url: URL,
  method: 'POST' | 'DELETE',
  body: string | undefined,
  sessionId?: string,
  extraHeaders: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: {
          accept: 'application/json, text/event-stream',
          ...(body !== undefined && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
          ...(sessionId && { 'mcp-session-id': sessionId, 'mcp-protocol-version': protocolVersion }),
          ...extraHeaders,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            sessionId: res.headers['mcp-session-id'] as string | undefined,
            body: Buffer.concat(chunks),
          }),
        );
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

export const ok = (reply: Reply) => reply.status >= 200 && reply.status < 300;

/** initialize, then notifications/initialized; the session's id. */
export async function openSession(url: URL): Promise<string> {
  const init = await send(
    url,
    'POST',
    JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion, capabilities: {}, clientInfo: { name: 'mcp-gateway-bench', version: '1.0.0' } },
    }),
  );
  if (!ok(init) || !init.sessionId) throw new Error(`initialize: HTTP ${init.status}`);
  const initialized = await send(
    url,
    'POST',
    JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    init.sessionId,
  );
  if (!ok(initialized)) throw new Error(`notifications/initialized: HTTP ${initialized.status}`);
  return init.sessionId;
}

const resultMarker = Buffer.from('"result"');

/** One request in a session; throws unless the answer is a result. */
export async function rpc(url: URL, sessionId: string, id: number, method: string, params?: object): Promise<void> {
  const reply = await send(
    url,
    'POST',
    JSON.stringify({ jsonrpc: '2.0', id, method, ...(params && { params }) }),
    sessionId,
  );
  if (!ok(reply) || !reply.body.includes(resultMarker))
    throw new Error(`${method}: HTTP ${reply.status} ${reply.body.subarray(0, 200).toString()}`);
}

const statelessVersion = '2026-07-28';
const envelope = {
  'io.modelcontextprotocol/protocolVersion': statelessVersion,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'mcp-gateway-bench', version: '1.0.0' },
};

/** One request of the stateless era (2026-07-28): its envelope in `_meta`, its headers, no session. */
export async function statelessRpc(
  url: URL,
  id: number,
  method: string,
  params: Record<string, unknown> = {},
): Promise<void> {
  const name = params.name ?? params.uri;
  const headers = {
    'mcp-protocol-version': statelessVersion,
    'mcp-method': method,
    ...(typeof name === 'string' && { 'mcp-name': name }),
  };
  const body = JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: envelope } });
  const reply = await send(url, 'POST', body, undefined, headers);
  if (!ok(reply) || !reply.body.includes(resultMarker))
    throw new Error(`${method}: HTTP ${reply.status} ${reply.body.subarray(0, 200).toString()}`);
}

/** A JSON-RPC answer, sent as JSON or as an event stream; the message of id `id`. */
function answerOf(body: Buffer, id: number): { result?: unknown; error?: { message?: string } } {
  const text = body.toString();
  const messages = text.trimStart().startsWith('{')
    ? [text]
    : text
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5));
  for (const message of messages) {
    const parsed = JSON.parse(message) as { id?: unknown; result?: unknown; error?: { message?: string } };
    if (parsed.id === id) return parsed;
  }
  throw new Error(`no answer to request ${id} in ${body.subarray(0, 200).toString()}`);
}

/** One request in a session: its `result`, and the size of the answer's body as it came. Throws on an error answer. */
export async function rpcResult<T = unknown>(
  url: URL,
  sessionId: string,
  id: number,
  method: string,
  params?: object,
): Promise<{ result: T; bytes: number }> {
  const reply = await send(
    url,
    'POST',
    JSON.stringify({ jsonrpc: '2.0', id, method, ...(params && { params }) }),
    sessionId,
  );
  if (!ok(reply)) throw new Error(`${method}: HTTP ${reply.status} ${reply.body.subarray(0, 200).toString()}`);
  const answer = answerOf(reply.body, id);
  if (answer.error) throw new Error(`${method}: ${answer.error.message ?? JSON.stringify(answer.error)}`);
  return { result: answer.result as T, bytes: reply.body.length };
}
