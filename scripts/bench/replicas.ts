/**
 * Scale out: tools/call through one gateway and through three, each behind the same real nginx
 * (round robin, no stickiness), with sessions shared through a real redis-server, so that every
 * request of a client may land on another replica. Both sides run the same configuration
 * (`shared_sessions`), in alternating rounds. On a machine with few cores the three replicas
 * share them with the load generator, the upstream, nginx and Redis: the table says what
 * spreading sessions costs here, not how far more machines would scale.
 */
import { alternate, type CompareOptions, type Target } from './compare.ts';
import { httpUpstream, startGateway, type GatewayProcess } from './gateway.ts';
import { freePort, startEchoServer, stop } from './processes.ts';
import { Checks, latencies, perSecond, ratio, type Section } from './report.ts';
import { startNginx, type Nginx } from '../nginx.ts';
import { startRedisServer } from '../redis-server.ts';

export async function replicasSection(options: CompareOptions, progress: (line: string) => void): Promise<Section> {
  const redis = await startRedisServer(await freePort());
  const echo = await startEchoServer();
  const gateways: GatewayProcess[] = [];
  const balancers: Nginx[] = [];
  try {
    const config = {
      shared_sessions: { redis: { url: redis.url } },
      proxy: { servers: [httpUpstream('bench', echo.url())] },
    };
    for (let i = 0; i < 4; i++) gateways.push(await startGateway(config));
    const port = (gateway: GatewayProcess) => Number(new URL(gateway.mcpUrl).port);
    const [single, ...three] = gateways;
    balancers.push(
      await startNginx([port(single!)], await freePort()),
      await startNginx(three.map(port), await freePort()),
    );
    const operation = { kind: 'call', tool: 'bench__echo' } as const;
    const targets: Target[] = [
      { name: '1 replica', url: `${balancers[0]!.url}/mcp`, operation },
      { name: '3 replicas', url: `${balancers[1]!.url}/mcp`, operation },
    ];
    const { levels, failures } = await alternate(targets, options, (line) => progress(`replicas: ${line}`));
    if (Object.keys(failures).length)
      throw new Error(
        Object.entries(failures)
          .map(([name, why]) => `${name}: ${why}`)
          .join('; '),
      );
    const checks = new Checks();
    const rows = levels.flatMap(({ concurrency, results }) => {
      const one = results['1 replica']!;
      const many = results['3 replicas']!;
      return [
        [String(concurrency), '1', perSecond(one.callsPerSecond), latencies(one), '—', String(one.errors)],
        [
          String(concurrency),
          '3',
          perSecond(many.callsPerSecond),
          latencies(many),
          ratio(many.callsPerSecond / one.callsPerSecond),
          checks.none(`errors with 3 replicas at ${concurrency} clients`, many.errors),
        ],
      ];
    });
    return {
      key: 'replicas',
      title: 'tools/call `echo` through 1 and 3 replicas behind nginx, sessions in Redis',
      settings:
        `Each side: nginx (round robin, no stickiness, keep-alive to the gateways) in front of 1 or 3 \`mcp-gateway\` processes with \`shared_sessions\` on one redis-server, ` +
        `so a client's requests go to each replica in turn; the echo server over Streamable HTTP as the upstream. ${options.rounds} alternating rounds of ${options.durationMs / 1000} s per side after ${options.warmupMs / 1000} s of warm-up; closed-loop SDK clients, each initialized once. ` +
        "Everything shares this machine's cores.",
      columns: ['clients', 'replicas', 'req/s', 'p50 / p90 / p99 ms', '3 ÷ 1', 'errors'],
      rows,
      checks: checks.list,
      notes: [],
      data: levels,
    };
  } finally {
    await Promise.all(balancers.map((balancer) => balancer.stop()));
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await stop(echo.started.child);
    await redis.stop();
  }
}
