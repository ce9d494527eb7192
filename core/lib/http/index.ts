/**
 * `mcp-gateway/http`: HTTP for plugins. The client the built-in HTTP transports share (undici
 * pools, bodies read as streams, event streams), the credentials an upstream server is called
 * with (static headers, OAuth 2 client credentials with refresh), the settings schema those
 * transports accept, the Origin allow list, the JSON-RPC error answer for a request refused
 * before it was read, and the headers a 2026-07-28 request carries.
 */
export { HttpClient, readBody, type Exchange, type HttpResponse } from './http-client.ts';
export type { BodyReader, ResponseBody } from './response-body.ts';
export { readEventStream, type SseEvents } from './event-stream.ts';
export { UpstreamCredentials, type UpstreamCredentialsOptions } from './credentials.ts';
export {
  httpServerSettings,
  upstreamAuthSchema,
  type HttpServerSettings,
  type UpstreamAuth,
} from './settings.ts';
export { defaultAllowedOrigins, originMatcher } from './origin.ts';
export { rpcErrorResponse } from './rpc-error-response.ts';
export {
  decodeHeaderValue,
  encodeHeaderValue,
  mirroredArguments,
  modernRequestHeaders,
  namedParam,
  paramHeaders,
} from './modern-headers.ts';
