/**
 * Health endpoints for load balancers and orchestrators:
 * - `GET /live`: the process serves HTTP (liveness).
 * - `GET /ready`: 200 when the gateway has booted (every upstream's first connection attempt has
 *   ended), is not stopping, and every upstream marked `required: true` is connected; 503
 *   otherwise. The body always lists each upstream's state. An ordinary upstream that is down does
 *   not make the gateway unready: the others still serve.
 */
import { definePlugin } from 'mcp-gateway';

export default definePlugin({
  name: 'health',
  version: '1.0.0',
  kernel: '^1.0.0',
  setup(ctx) {
    ctx.http.route('GET', '/live', (c) => c.json({ status: 'live' }), { auth: 'none', name: 'live', polled: true });
    ctx.http.route(
      'GET',
      '/ready',
      (c) => {
        const { phase, upstreams } = ctx.gateway.status();
        const reasons = [
          ...(phase === 'ready' ? [] : [phase === 'starting' ? 'the gateway is starting' : 'the gateway is stopping']),
          ...upstreams
            .filter((u) => u.required && u.state !== 'ready')
            .map((u) => `required upstream "${u.name}" is ${u.state}`),
        ];
        const ready = reasons.length === 0;
        return c.json({ status: ready ? 'ready' : 'unavailable', phase, reasons, upstreams }, ready ? 200 : 503);
      },
      { auth: 'none', name: 'ready', polled: true },
    );
  },
});
