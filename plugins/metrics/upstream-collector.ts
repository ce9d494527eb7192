/**
 * Upstream metrics read at scrape time from the gateway's status (`ctx.gateway.status()`), so they
 * are exact whenever Prometheus looks, whatever events came before: whether each upstream is
 * connected, and how many control connections it has made since boot (a growing number means it
 * keeps dropping).
 */
import type { GatewayView } from 'mcp-gateway';
import { Counter, Gauge, type Registry } from 'prom-client';

export function registerUpstreamCollector(registry: Registry, gateway: GatewayView): void {
  new Gauge({
    name: 'mcp_gateway_upstream_up',
    help: 'Whether the upstream server is connected (1) or not (0: connecting, down or closed)',
    labelNames: ['proxy'],
    registers: [registry],
    collect() {
      this.reset();
      for (const upstream of gateway.status().upstreams)
        this.set({ proxy: upstream.name }, upstream.state === 'ready' ? 1 : 0);
    },
  });
  new Counter({
    name: 'mcp_gateway_upstream_connections_total',
    help: 'Control connections established to the upstream server since the gateway started (1 while all is well)',
    labelNames: ['proxy'],
    registers: [registry],
    collect() {
      this.reset();
      for (const upstream of gateway.status().upstreams) this.inc({ proxy: upstream.name }, upstream.connections);
    },
  });
}
