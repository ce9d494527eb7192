/**
 * Peers: other MCP proxies from npm, installed on demand into a temp folder (kept between runs),
 * each measured in the setup it supports next to the gateway in the same setup, in alternating
 * rounds. A peer that cannot be installed or started is left out with a note.
 * - mcp-hub fronts a Streamable HTTP upstream but exposes only the legacy HTTP+SSE transport.
 * - mcp-proxy and supergateway serve a stdio server over Streamable HTTP.
 * - supergateway has no HTTP-to-HTTP mode; "supergateway ×2" is its documented way round: one
 *   supergateway turning the upstream into stdio, run as the stdio server of another.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { alternate, type CompareOptions, type Target } from './compare.ts';
import { httpUpstream, startGateway, stdioUpstream, type GatewayProcess } from './gateway.ts';
import {
  freePort,
  root,
  scratch,
  sleep,
  start,
  startEchoServer,
  stdioEchoArgs,
  stop,
  watchRss,
  type Started,
} from './processes.ts';
import { latencies, mib, packageVersion, perSecond, ratio, type Section } from './report.ts';
import { benchClient } from './client.ts';

const peerDir = join(tmpdir(), 'mcp-gateway-bench-peers');
/** Majors whose command lines this file knows. */
const majors = { 'mcp-hub': 4, 'mcp-proxy': 6, supergateway: 4 } as const;
type PeerPackage = keyof typeof majors;

type Upstream = 'Streamable HTTP' | 'stdio';

interface Measured {
  readonly label: string;
  readonly version: string;
  readonly upstream: Upstream;
  readonly exposes: string;
  readonly target: Target;
  readonly started: Started;
}

interface Peer {
  readonly label: string;
  readonly pkg: PeerPackage;
  readonly upstream: Upstream;
  readonly exposes: string;
  /** The peer's process, and how to reach its echo tool. */
  start(
    bin: string,
    upstreamUrl: string,
  ): Promise<{ started: Started; url: string; transport: Target['transport']; tool: string }>;
}

const shellQuote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;
const stdioCommand = () => [process.execPath, ...stdioEchoArgs()].map(shellQuote).join(' ');

const peers: readonly Peer[] = [
  {
    label: 'mcp-hub',
    pkg: 'mcp-hub',
    upstream: 'Streamable HTTP',
    exposes: 'HTTP+SSE',
    async start(bin, upstreamUrl) {
      // A home of its own: it keeps state there, and a fresh marketplace cache keeps it from
      // fetching its server catalogue from the internet at start.
      const home = mkdtempSync(join(scratch, 'mcp-hub-'));
      mkdirSync(join(home, 'data/mcp-hub/cache'), { recursive: true });
      writeFileSync(
        join(home, 'data/mcp-hub/cache/registry.json'),
        JSON.stringify({
          registry: { version: 'bench', generatedAt: 0, totalServers: 1, servers: [{ id: 'none' }] },
          lastFetchedAt: Date.now(),
          serverDocumentation: {},
        }),
      );
      const config = join(home, 'mcp-servers.json');
      writeFileSync(config, JSON.stringify({ mcpServers: { bench: { url: upstreamUrl } } }));
      const port = await freePort();
      const env = {
        ...process.env,
        HOME: home,
        XDG_DATA_HOME: join(home, 'data'),
        XDG_STATE_HOME: join(home, 'state'),
        XDG_CONFIG_HOME: join(home, 'config'),
      };
      const started = await start(process.execPath, [bin, '--port', String(port), '--config', config], {
        label: 'mcp-hub',
        env,
      });
      return { started, url: `http://127.0.0.1:${port}/mcp`, transport: 'sse', tool: 'bench__echo' };
    },
  },
  {
    label: 'supergateway ×2',
    pkg: 'supergateway',
    upstream: 'Streamable HTTP',
    exposes: 'Streamable HTTP',
    async start(bin, upstreamUrl) {
      const port = await freePort();
      const inner = [process.execPath, bin, '--streamableHttp', upstreamUrl, '--logLevel', 'none']
        .map(shellQuote)
        .join(' ');
      const started = await start(
        process.execPath,
        [bin, '--stdio', inner, '--outputTransport', 'streamableHttp', '--stateful', '--port', String(port)],
        { label: 'supergateway ×2' },
      );
      return { started, url: `http://127.0.0.1:${port}/mcp`, transport: 'streamable-http', tool: 'echo' };
    },
  },
  {
    label: 'mcp-proxy',
    pkg: 'mcp-proxy',
    upstream: 'stdio',
    exposes: 'Streamable HTTP',
    async start(bin) {
      const port = await freePort();
      const started = await start(
        process.execPath,
        [
          bin,
          '--port',
          String(port),
          '--host',
          '127.0.0.1',
          '--server',
          'stream',
          '--',
          process.execPath,
          ...stdioEchoArgs(),
        ],
        { label: 'mcp-proxy' },
      );
      return { started, url: `http://127.0.0.1:${port}/mcp`, transport: 'streamable-http', tool: 'echo' };
    },
  },
  {
    label: 'supergateway',
    pkg: 'supergateway',
    upstream: 'stdio',
    exposes: 'Streamable HTTP',
    async start(bin) {
      const port = await freePort();
      // Stateful, so that a client's session keeps its stdio child rather than starting one per request.
      const started = await start(
        process.execPath,
        [bin, '--stdio', stdioCommand(), '--outputTransport', 'streamableHttp', '--stateful', '--port', String(port)],
        { label: 'supergateway' },
      );
      return { started, url: `http://127.0.0.1:${port}/mcp`, transport: 'streamable-http', tool: 'echo' };
    },
  },
];

const manifest = (pkg: string) => join(peerDir, 'node_modules', pkg, 'package.json');

interface Installed {
  readonly version: string;
  readonly bin: string;
}

/** Per package, this run's answer: both supergateway setups share one install (or one failure). */
const installs = new Map<PeerPackage, Installed | Error>();

/** The installed package's version and command, installing it first if needed. */
function ensureInstalled(pkg: PeerPackage, progress: (line: string) => void): Installed {
  let outcome = installs.get(pkg);
  if (!outcome) {
    try {
      outcome = install(pkg, progress);
    } catch (error) {
      outcome = error instanceof Error ? error : new Error(String(error));
    }
    installs.set(pkg, outcome);
  }
  if (outcome instanceof Error) throw outcome;
  return outcome;
}

function install(pkg: PeerPackage, progress: (line: string) => void): Installed {
  const read = () =>
    JSON.parse(readFileSync(manifest(pkg), 'utf8')) as { version: string; bin: string | Record<string, string> };
  if (!existsSync(manifest(pkg)) || Number(read().version.split('.')[0]) !== majors[pkg]) {
    progress(`peers: installing ${pkg}@${majors[pkg]} into ${peerDir}`);
    try {
      execFileSync(
        'npm',
        ['install', '--prefix', peerDir, '--no-audit', '--no-fund', '--loglevel=error', `${pkg}@${majors[pkg]}`],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 300_000,
        },
      );
    } catch (error) {
      // npm's first lines say what went wrong ("code ECONNREFUSED", then the reason); the rest is a stack and advice.
      const why = ((error as { stderr?: Buffer }).stderr?.toString() ?? '')
        .split('\n')
        .map((line) => line.replace(/^npm error\s*/, '').trim())
        .filter((line) => line && !/^(syscall|errno) /.test(line))
        .slice(0, 2)
        .join('; ');
      throw new Error(`npm install ${pkg}@${majors[pkg]} failed${why ? `: ${why}` : ''}`);
    }
  }
  const { version, bin } = read();
  return { version, bin: join(peerDir, 'node_modules', pkg, typeof bin === 'string' ? bin : bin[pkg]!) };
}

/** Until a client can connect and sees `tool`: peers say "listening" before their upstream is connected. */
async function waitForTool(url: string, transport: Target['transport'], tool: string, started: Started): Promise<void> {
  let last: unknown;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(250)) {
    if (started.child.exitCode !== null) break;
    const client = benchClient();
    try {
      await client.connect(
        transport === 'sse' ? new SSEClientTransport(new URL(url)) : new StreamableHTTPClientTransport(new URL(url)),
      );
      const { tools } = await client.listTools();
      if (tools.some((t) => t.name === tool)) return;
      last = `no tool ${tool} among ${tools.map((t) => t.name).join(', ')}`;
    } catch (error) {
      last = error instanceof Error ? error.message : error;
    } finally {
      await client.close().catch(() => {});
    }
  }
  throw new Error(`not ready: ${String(last)}; its last output:\n${started.tail()}`);
}

export async function peersSection(options: CompareOptions, progress: (line: string) => void): Promise<Section> {
  const notes: string[] = [];
  const measured: Measured[] = [];
  const echo = await startEchoServer();
  const gateways: GatewayProcess[] = [];
  try {
    for (const [upstream, server] of [
      ['Streamable HTTP', httpUpstream('bench', echo.url())],
      ['stdio', stdioUpstream('bench')],
    ] as const) {
      const gateway = await startGateway({ proxy: { servers: [server] } });
      gateways.push(gateway);
      measured.push({
        label: 'mcp-gateway',
        version: packageVersion(root),
        upstream,
        exposes: 'Streamable HTTP',
        target: {
          name: `mcp-gateway ← ${upstream}`,
          url: gateway.mcpUrl,
          operation: { kind: 'call', tool: 'bench__echo' },
        },
        started: gateway.started,
      });
    }
    for (const peer of peers) {
      try {
        const { version: peerVersion, bin } = ensureInstalled(peer.pkg, progress);
        const { started, url, transport, tool } = await peer.start(bin, echo.url());
        try {
          await waitForTool(url, transport, tool, started);
        } catch (error) {
          await stop(started.child);
          throw error;
        }
        measured.push({
          label: peer.label,
          version: peerVersion,
          upstream: peer.upstream,
          exposes: peer.exposes,
          target: { name: peer.label, url, transport, operation: { kind: 'call', tool } },
          started,
        });
        progress(`peers: ${peer.label} ${peerVersion} ready`);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        notes.push(`Not measured: ${peer.label}: ${why.split('\n')[0]}.`);
        progress(`peers: ${peer.label} skipped: ${why}`);
      }
    }
    // The order puts each peer right after the gateway in the same setup.
    measured.sort((a, b) => (a.upstream === b.upstream ? 0 : a.upstream === 'Streamable HTTP' ? -1 : 1));
    const watches = measured.map((m) => watchRss(m.started.pid));
    const { levels, failures } = await alternate(
      measured.map((m) => m.target),
      options,
      (line) => progress(`peers: ${line}`),
    );
    const peaks = watches.map((w) => w.stop());
    for (const [name, why] of Object.entries(failures))
      notes.push(`${name} failed during the run: ${why.split('\n')[0]}.`);

    const rows = levels.flatMap(({ concurrency, results }) =>
      measured.flatMap((m, i) => {
        const result = results[m.target.name];
        if (!result) return [];
        const gateway = results[`mcp-gateway ← ${m.upstream}`];
        return [
          [
            m.label,
            m.version,
            `${m.upstream} → ${m.exposes}`,
            String(concurrency),
            perSecond(result.callsPerSecond),
            latencies(result),
            m.label === 'mcp-gateway' || !gateway ? '—' : ratio(gateway.callsPerSecond / result.callsPerSecond),
            String(result.errors),
            mib(peaks[i]!),
          ],
        ];
      }),
    );
    return {
      key: 'peers',
      title: 'tools/call `echo` through mcp-gateway and its peers',
      settings:
        `Each peer next to mcp-gateway with the same kind of upstream (the echo server over Streamable HTTP, or over stdio), in ${options.rounds} alternating round${options.rounds === 1 ? '' : 's'} ` +
        `of ${options.durationMs / 1000} s each after ${options.warmupMs / 1000} s of warm-up, at the defaults of each (mcp-gateway with its JSON access log); ` +
        'mcp-hub through its HTTP+SSE endpoint (its only one), the others through Streamable HTTP. supergateway `--stateful` starts one stdio child per client session; mcp-gateway and mcp-proxy share one. ' +
        '"supergateway ×2" is `supergateway --streamableHttp` (to stdio) run as the stdio server of `supergateway --stateful` (to Streamable HTTP). RSS: the front process alone, highest seen.',
      align: 'lllrrrrrr',
      columns: [
        'server',
        'version',
        'upstream → clients',
        'clients',
        'req/s',
        'p50 / p90 / p99 ms',
        'mcp-gateway ÷ it',
        'errors',
        'peak RSS MiB',
      ],
      rows,
      checks: [],
      notes,
      data: {
        servers: measured.map(({ label, version, upstream, exposes, target }) => ({
          name: target.name,
          label,
          version,
          upstream,
          exposes,
        })),
        levels,
        peakRssKb: Object.fromEntries(measured.map((m, i) => [m.target.name, peaks[i]])),
        notes,
      },
    };
  } finally {
    await Promise.all([
      ...measured.filter((m) => m.label !== 'mcp-gateway').map((m) => stop(m.started.child)),
      ...gateways.map((g) => g.stop()),
    ]);
    await stop(echo.started.child);
  }
}
