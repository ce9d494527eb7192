/**
 * Prometheus metrics: the original gateway's tool-call counters under their old names, plus
 * latency histograms, MCP operations, HTTP requests, upstream health, sessions and refused
 * authentications, and the Node.js process metrics; served at `/metrics` (or on a port of its
 * own), optionally behind a bearer token. It also provides the `metrics` service, on the same
 * registry, so that other plugins count what they do. Every metric and label is listed in the
 * README; label values come from fixed sets (see labels.ts).
 */
import { definePlugin } from 'mcp-gateway';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { metricsRoute, scrapeCheck } from './endpoint.ts';
import { eventMetrics } from './from-events.ts';
import { listenForScrapes, type MetricsServer } from './metrics-server.ts';
import { optionsSchema } from './options.ts';
import { createMetricsService } from './service.ts';
import { registerUpstreamCollector } from './upstream-collector.ts';

export default definePlugin({
  name: 'metrics',
  version: '1.0.0',
  kernel: '^1.0.0',
  section: 'metrics',
  configSchema: optionsSchema,
  async setup(ctx) {
    const { options, logger } = ctx;
    // A registry of this gateway's own (not prom-client's global one): two gateways in one process never mix.
    const registry = new Registry();
    if (options.process_metrics) collectDefaultMetrics({ register: registry });
    const metrics = createMetricsService(registry, logger);
    ctx.provide('metrics', metrics);
    metrics
      .gauge('mcp_gateway_info', 'The running gateway (always 1), by version', ['version'])
      .set({ version: ctx.gateway.version }, 1);
    registerUpstreamCollector(registry, ctx.gateway);
    // Requests' events come once their answers are on their way (GatewayView.eventsDelivered), where counting
    // them (hashing labels, filling buckets) delays no answer; a scrape waits for those still to
    // come, so that it never misses one that happened before it.
    const countEvent = eventMetrics(
      metrics,
      ctx.config.proxy.servers.map((server) => server.name),
    );
    const scrape = {
      contentType: registry.contentType,
      exposition: () => ctx.gateway.eventsDelivered().then(() => registry.metrics()),
    };

    // Swappable, so that a reload can rotate the scrapers' token.
    let check = scrapeCheck(options.bearer_token);
    const allowed = (authorization: string | undefined) => check(authorization);
    let server: MetricsServer | undefined;
    if (options.port === undefined) {
      ctx.http.route('GET', options.path, metricsRoute(scrape, allowed), {
        auth: 'none',
        name: 'metrics',
        polled: true,
      });
    } else {
      const host = options.host ?? ctx.config.server.host;
      server = await listenForScrapes({ host, port: options.port, path: options.path, scrape, allowed, logger });
    }
    logger.info(
      {
        path: options.path,
        port: server?.port ?? 'gateway',
        protected: options.bearer_token !== undefined,
        process_metrics: options.process_metrics,
      },
      'metrics enabled',
    );
    return {
      onEvent: countEvent,
      onReload({ options: next }) {
        const { bearer_token: _old, ...rest } = options;
        const { bearer_token: token, ...nextRest } = next;
        if (JSON.stringify(rest) !== JSON.stringify(nextRest))
          throw new Error('only metrics.bearer_token changes without a restart');
        check = scrapeCheck(token);
        logger.info({ protected: token !== undefined }, 'metrics token reloaded');
      },
      onShutdown: () => server?.close(),
    };
  },
});
