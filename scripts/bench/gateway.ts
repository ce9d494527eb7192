/**
 * The gateway under test: `mcp-gateway serve` on a config written to a scratch folder, on a port of
 * its choosing, with the default logging (a JSON access line per request, drained, never read).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { root, scratch, start, stdioEchoArgs, stop, type Started } from './processes.ts';

export interface GatewayProcess {
  readonly started: Started;
  readonly pid: number;
  /** The /mcp endpoint. */
  readonly mcpUrl: string;
  /** From spawn to the "listening" log line. */
  readonly listeningMs: number;
  /** From spawn to its "mcp-gateway ready" log line, from when GET /ready answers 200. */
  readonly readyMs: number;
  stop(): Promise<void>;
}

export async function startGateway(config: object): Promise<GatewayProcess> {
  const file = join(mkdtempSync(join(scratch, 'gateway-')), 'gateway.yaml');
  writeFileSync(file, stringify(config));
  const started = await start(
    process.execPath,
    [...nodeArgs(), 'core/cli/bin.js', 'serve', '--config', file, '--port', '0', '--log-format', 'json'],
    {
      label: 'mcp-gateway',
      env: withoutGatewaySettings(process.env),
      ready: /"address":"(http:\/\/[^"]+)"/,
    },
  );
  const listeningMs = performance.now() - started.spawnedAt;
  const base = started.match![1]!;
  // It listens before it connects its upstreams, and says when those first attempts are done
  // (when /ready turns 200) in a log line. The line is waited for rather than /ready polled: a
  // poll every few ms is a load of its own that slows the start it measures (~0.1 s with a stdio
  // upstream starting on the same 2 cores).
  let timer: NodeJS.Timeout | undefined;
  const readyAt = await Promise.race([
    started.seen(/"msg":"mcp-gateway ready: /),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('not ready within 60 s')), 60_000))),
  ])
    .catch(async (error: Error) => {
      await stop(started.child); // its stdio upstreams, left in its process group
      throw new Error(`mcp-gateway: ${error.message}`);
    })
    .finally(() => clearTimeout(timer));
  const response = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(5000) });
  await response.body?.cancel();
  if (response.status !== 200) {
    await stop(started.child);
    throw new Error(`mcp-gateway logged "mcp-gateway ready" but GET /ready answered ${response.status}`);
  }
  return {
    started,
    pid: started.pid,
    mcpUrl: `${base}/mcp`,
    listeningMs,
    readyMs: readyAt - started.spawnedAt,
    stop: () => stop(started.child),
  };
}

/**
 * Node's own options for the gateway's process, from `BENCH_GATEWAY_NODE_ARGS` (space-separated):
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it under the load of a section, `--trace-gc`.
 */
const nodeArgs = () => process.env.BENCH_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? [];

/** The environment without `MCP_GATEWAY_*`, which would override the measured configuration (a debug log level, say). */
function withoutGatewaySettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('MCP_GATEWAY_')));
}

/** A `proxy.servers` entry for a Streamable HTTP upstream. */
export const httpUpstream = (name: string, url: string) => ({ name, type: 'streamable-http', connection: { url } });

/** A `proxy.servers` entry for the echo server as a child process over stdio. */
export const stdioUpstream = (name: string) => ({
  name,
  type: 'stdio',
  connection: { command: process.execPath, args: stdioEchoArgs(), cwd: root },
});
