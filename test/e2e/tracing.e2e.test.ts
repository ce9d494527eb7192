/**
 * Tracing end to end: the gateway started by its CLI with `tracing: { exporter: otlp }` exports
 * its spans with OTLP/HTTP (JSON) to a small collector in this test, configured only by the
 * standard OTEL_* variables; a Streamable HTTP upstream shows the `traceparent` it received: the
 * client's trace, with the gateway's upstream CLIENT span as the parent.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, textOf } from '../helpers/client.ts';
import { startFixtureHttp, startGateway, type FixtureHttp, type RunningGateway } from '../helpers/processes.ts';
import { httpUpstream } from '../helpers/servers.ts';

/** One span as OTLP/JSON carries it, with the resource it came with. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
  status?: { code?: number };
  resource: Record<string, unknown>;
}

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;
const CLIENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_SPAN = 'b7ad6b7169203331';

let collector: Server;
const received: OtlpSpan[] = [];
const exportPaths: string[] = [];
let web: FixtureHttp;
let gateway: RunningGateway;
let client: Client;

/** A stand-in for an OpenTelemetry Collector's OTLP/HTTP receiver. */
async function startCollector(): Promise<Server> {
  const server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    exportPaths.push(`${request.method} ${request.url} ${request.headers['content-type']}`);
    const { resourceSpans } = JSON.parse(body) as {
      resourceSpans: {
        resource: { attributes: OtlpSpan['attributes'] };
        scopeSpans: { spans: Omit<OtlpSpan, 'resource'>[] }[];
      }[];
    };
    for (const { resource, scopeSpans } of resourceSpans) {
      for (const { spans } of scopeSpans)
        for (const span of spans) received.push({ ...span, resource: flatten(resource.attributes) });
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const flatten = (attributes: OtlpSpan['attributes']) =>
  Object.fromEntries(attributes.map(({ key, value }) => [key, Object.values(value)[0]]));

beforeAll(async () => {
  collector = await startCollector();
  web = await startFixtureHttp('web');
  gateway = await startGateway({
    config: { tracing: { exporter: 'otlp' }, proxy: { servers: [httpUpstream('web', web.url)] } },
    env: {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`,
      OTEL_SERVICE_NAME: 'gateway-under-test',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=e2e',
      // Nothing leaves before the gateway stops: its shutdown must flush the batch.
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    },
  });
  client = await connectClient(gateway.mcpUrl, {
    headers: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`, tracestate: 'client=opaque' },
  });
});

afterAll(async () => {
  await client?.close();
  await gateway?.stop();
  await web?.stop();
  collector?.close();
});

describe('tracing with OTLP', () => {
  let upstreamSaw: Record<string, string>;

  it("sends the upstream the client's trace id, with its own span as the parent, and the tracestate", async () => {
    upstreamSaw = JSON.parse(textOf(await client.callTool({ name: 'web__headers', arguments: {} }))) as Record<
      string,
      string
    >;
    expect(upstreamSaw.traceparent).toMatch(new RegExp(`^00-${CLIENT_TRACE}-[0-9a-f]{16}-01$`));
    expect(upstreamSaw.traceparent).not.toContain(CLIENT_SPAN);
    expect(upstreamSaw.tracestate).toBe('client=opaque');
  });

  it('exports the HTTP, operation and upstream spans when the gateway stops, to the OTEL_* endpoint', async () => {
    expect(await gateway.stop()).toBe(0);
    expect(exportPaths.length).toBeGreaterThan(0);
    expect(exportPaths[0]).toBe('POST /v1/traces application/json');

    const upstreamSpan = upstreamSaw.traceparent!.split('-')[2];
    const upstream = received.find((s) => s.spanId === upstreamSpan)!;
    expect(upstream).toMatchObject({ traceId: CLIENT_TRACE, name: 'tools/call headers', kind: SPAN_KIND_CLIENT });
    expect(flatten(upstream.attributes)).toMatchObject({
      'mcp_gateway.server': 'web',
      'server.address': '127.0.0.1',
      'server.port': web.port,
      'network.transport': 'tcp',
    });

    const operation = received.find((s) => s.spanId === upstream.parentSpanId)!;
    expect(operation).toMatchObject({ traceId: CLIENT_TRACE, name: 'tools/call web__headers', kind: SPAN_KIND_SERVER });
    const http = received.find((s) => s.spanId === operation.parentSpanId)!;
    expect(http).toMatchObject({
      traceId: CLIENT_TRACE,
      name: 'POST /mcp',
      kind: SPAN_KIND_SERVER,
      parentSpanId: CLIENT_SPAN,
    });

    expect(http.resource).toMatchObject({ 'service.name': 'gateway-under-test', 'deployment.environment.name': 'e2e' });
    // Every request of this client continues its trace: initialize, its notification, the call.
    expect(
      received
        .filter((s) => s.name === 'POST /mcp')
        .every((s) => s.traceId === CLIENT_TRACE && s.parentSpanId === CLIENT_SPAN),
    ).toBe(true);
  });
});
