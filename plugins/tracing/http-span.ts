/**
 * The SERVER span of each HTTP request: started before any other `onRequest` hook (`pre`), as a
 * child of the client's `traceparent` when it sends one, and ended when the response is over
 * (for an MCP event stream, when the answer has been sent), with its status code. A GET event
 * stream (the session's channel for server messages, open for as long as the session) ends at
 * its start: a span as long as a session says nothing.
 */
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import type { RequestHook } from 'mcp-gateway';
import { ATTR_GATEWAY_REQUEST_ID } from './attributes.ts';
import { whenBodyEnds } from './body-end.ts';
import { clientContext } from './propagation.ts';
import './state.ts';

export function httpSpans(tracer: Tracer): RequestHook {
  return async function traceHttp(c, next) {
    const method = c.req.method;
    const url = new URL(c.req.url);
    const userAgent = c.req.header('user-agent');
    // A path the gateway does not serve is not a route: keep span names few.
    const known = c.get('route').name !== 'not-found';
    const span = tracer.startSpan(
      known ? `${method} ${url.pathname}` : method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: method,
          [ATTR_URL_PATH]: url.pathname,
          [ATTR_URL_SCHEME]: url.protocol.replace(/:$/, ''),
          ...(known && { [ATTR_HTTP_ROUTE]: url.pathname }),
          ...(userAgent && { [ATTR_USER_AGENT_ORIGINAL]: userAgent }),
          [ATTR_GATEWAY_REQUEST_ID]: c.get('requestId'),
        },
      },
      clientContext(c.req.raw.headers),
    );
    c.get('state').tracing = { http: span };
    try {
      await next();
    } catch (error) {
      // Hono answers it with a 500 further out.
      span.setAttributes({ [ATTR_HTTP_RESPONSE_STATUS_CODE]: 500, [ATTR_ERROR_TYPE]: '500' });
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      throw error;
    }
    const status = c.res.status;
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    // For a server, a 4xx is the client's mistake, not an error of this span.
    if (status >= 500)
      span.setAttributes({ [ATTR_ERROR_TYPE]: String(status) }).setStatus({ code: SpanStatusCode.ERROR });
    const stream = c.res.headers.get('content-type')?.startsWith('text/event-stream');
    if (method === 'GET' && stream) {
      span.end();
      return;
    }
    c.res = whenBodyEnds(c.res, (error) => {
      if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: 'the response body failed' });
      span.end();
    });
  };
}
