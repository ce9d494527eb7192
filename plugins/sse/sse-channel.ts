/**
 * The legacy HTTP+SSE transport (MCP 2024-11-05): a GET opens an event stream whose first
 * `endpoint` event says where to POST messages; answers and server messages all come back on
 * that stream. The stream ending means the session is gone: the channel reports itself lost and
 * the kernel reconnects. The stream's GET and every POST carry the server's credentials; a 401
 * gets a new OAuth 2 token and is sent once more (`UpstreamCredentials`).
 */
import { ErrorCodes, GatewayError, type JSONRPCMessage, type Logger } from 'mcp-gateway';
import { HttpClient, readBody, readEventStream, type UpstreamCredentials } from 'mcp-gateway/http';
import { MessageChannel } from 'mcp-gateway/message-channel';

/** A POST only delivers a message (the answer comes on the stream), so it should be quick. */
const POST_TIMEOUT_MS = 30_000;

export async function openSseChannel(
  url: URL,
  credentials: UpstreamCredentials,
  logger: Logger,
  signal: AbortSignal,
): Promise<MessageChannel> {
  const streamClient = new HttpClient(url);
  const closing = new AbortController();
  const stream = await credentials
    .exchange(streamClient, {
      method: 'GET',
      headers: { accept: 'text/event-stream' },
      signal: AbortSignal.any([signal, closing.signal]),
    })
    .catch((error: unknown) => {
      streamClient.close();
      throw error;
    });
  if (stream.statusCode !== 200) {
    const body = await readBody(stream).catch(() => '');
    streamClient.close();
    throw new GatewayError(
      ErrorCodes.UPSTREAM_PROTOCOL,
      `the SSE endpoint answered HTTP ${stream.statusCode}${body ? `: ${body.slice(0, 200)}` : ''}`,
    );
  }

  let channel: MessageChannel | undefined;
  const endpoint = new Promise<URL>((resolve, reject) => {
    readEventStream(stream, {
      onNamedEvent: (name, data) => {
        if (name === 'endpoint') resolve(new URL(data.trim(), url));
      },
      onMessage: (message) => channel?.receive(message),
      onInvalid: (data) => logger.debug({ data: data.slice(0, 200) }, 'ignored a non-JSON event'),
    }).then(
      () => (reject(new Error('the SSE stream ended')), channel?.lost(new Error('the SSE stream ended'))),
      (error: Error) => (reject(error), channel?.lost(error)),
    );
  });
  const target = await endpoint.catch((error: unknown) => {
    closing.abort();
    streamClient.close();
    throw error;
  });
  // The endpoint may be on another origin than the stream; a pool of its own either way.
  const poster = target.origin === url.origin ? streamClient : new HttpClient(target);
  const post = async (message: JSONRPCMessage, extra: Readonly<Record<string, string>> = {}) => {
    const response = await credentials.exchange(poster, {
      method: 'POST',
      headers: { ...extra, 'content-type': 'application/json' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
      url: target,
    });
    const body = await readBody(response);
    if (response.statusCode >= 300) {
      throw new GatewayError(
        ErrorCodes.UPSTREAM_PROTOCOL,
        `the upstream refused a message with HTTP ${response.statusCode}: ${body.slice(0, 200)}`,
      );
    }
  };
  channel = new MessageChannel({
    write: post,
    close: async () => {
      closing.abort();
      stream.body.cancel();
      streamClient.close();
      if (poster !== streamClient) poster.close();
    },
  });
  return channel;
}
