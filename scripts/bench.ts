/**
 * `npm run bench`: tools/call through the gateway next to the same upstream called directly, in
 * one run, alternating direct and gateway rounds so that both see the same machine state.
 *
 *   npm run bench -- [--duration 5] [--warmup 1] [--concurrency 1,16] [--rounds 2] [--json]
 *
 * The upstream (scripts/bench/echo-server.ts) and the gateway each run in their own process; the
 * load comes from SDK clients in this one. The gateway runs with its default logging (one JSON
 * access line per request), as it would in production.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLoad, type LoadResult } from './bench/load.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '1,16' },
    rounds: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
  },
});
const seconds = (text: string) => Number(text) * 1000;
const levels = values.concurrency.split(',').map(Number);
const rounds = Number(values.rounds);

const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));

/** Start a process and resolve with the first stdout line that `match` accepts. */
function start(command: string, args: string[], match: (line: string) => string | undefined): Promise<{ child: ChildProcess; value: string }> {
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const value = match(line);
      if (value === undefined) return;
      lines.removeAllListeners('line');
      child.stdout!.resume(); // keep draining, so that the process never blocks on a full pipe
      resolve({ child, value });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
const version = (pkg: string) =>
  (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

const upstream = await start(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/bench/echo-server.ts'], (line) =>
  line.startsWith('{"port"') ? String((JSON.parse(line) as { port: number }).port) : undefined,
);
const directUrl = `http://127.0.0.1:${upstream.value}/mcp`;

const dir = mkdtempSync(join(tmpdir(), 'mcpgw-bench-'));
const configFile = join(dir, 'bench.yaml');
writeFileSync(configFile, `proxy:\n  servers:\n    - name: bench\n      type: streamable-http\n      connection:\n        url: ${directUrl}\n`);
const gateway = await start(process.execPath, ['core/cli/bin.js', 'serve', '--config', configFile, '--port', '0', '--log-format', 'json'], (line) => {
  const address = /"address":"(http:\/\/[^"]+)"/.exec(line)?.[1];
  return address;
});
const gatewayUrl = `${gateway.value}/mcp`;
await new Promise((resolve) => setTimeout(resolve, 500)); // let the upstream connect
const idleRss = rssKb(gateway.child.pid!);

interface Row {
  concurrency: number;
  direct: LoadResult;
  gateway: LoadResult;
}

const mean = (results: LoadResult[], key: keyof LoadResult) => results.reduce((sum, r) => sum + r[key], 0) / results.length;
const average = (results: LoadResult[]): LoadResult => ({
  calls: mean(results, 'calls'),
  errors: mean(results, 'errors'),
  callsPerSecond: mean(results, 'callsPerSecond'),
  p50: mean(results, 'p50'),
  p90: mean(results, 'p90'),
  p99: mean(results, 'p99'),
});

const rows: Row[] = [];
let peakRss = idleRss;
for (const concurrency of levels) {
  const direct: LoadResult[] = [];
  const viaGateway: LoadResult[] = [];
  for (let round = 0; round < rounds; round++) {
    const common = { concurrency, warmupMs: seconds(values.warmup), durationMs: seconds(values.duration) };
    direct.push(await runLoad({ ...common, url: directUrl, operation: { kind: 'call', tool: 'echo' } }));
    viaGateway.push(await runLoad({ ...common, url: gatewayUrl, operation: { kind: 'call', tool: 'bench__echo' } }));
    peakRss = Math.max(peakRss, rssKb(gateway.child.pid!));
    if (!values.json) process.stderr.write(`  c=${concurrency} round ${round + 1}/${rounds} done\n`);
  }
  rows.push({ concurrency, direct: average(direct), gateway: average(viaGateway) });
}
const afterRss = rssKb(gateway.child.pid!);

const report = {
  date: new Date().toISOString().slice(0, 10),
  machine: `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
  node: process.version,
  versions: { 'mcp-gateway': version('../'), '@modelcontextprotocol/sdk': version('@modelcontextprotocol/sdk') },
  settings: { durationSeconds: Number(values.duration), warmupSeconds: Number(values.warmup), rounds },
  gatewayRssKb: { idle: idleRss, peak: peakRss, after: afterRss },
  rows,
};

if (values.json) {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} else {
  const ms = (value: number) => value.toFixed(2);
  const lines = [
    `tools/call echo, Streamable HTTP upstream (SDK low-level Server), ${report.date}, ${report.machine}, Node ${report.node},`,
    `mcp-gateway ${report.versions['mcp-gateway']}, SDK ${report.versions['@modelcontextprotocol/sdk']}; ${rounds} alternating rounds of ${values.duration} s per side`,
    '',
    '| clients | direct calls/s | gateway calls/s | gateway ÷ direct | direct p50 ms | gateway p50 ms | added p50 ms | direct p99 ms | gateway p99 ms | errors |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      ({ concurrency, direct, gateway: g }) =>
        `| ${concurrency} | ${direct.callsPerSecond.toFixed(0)} | ${g.callsPerSecond.toFixed(0)} | ${(g.callsPerSecond / direct.callsPerSecond).toFixed(2)}× | ` +
        `${ms(direct.p50)} | ${ms(g.p50)} | ${ms(g.p50 - direct.p50)} | ${ms(direct.p99)} | ${ms(g.p99)} | ${direct.errors + g.errors} |`,
    ),
    '',
    `Gateway RSS: ${Math.round(idleRss / 1024)} MiB idle, ${Math.round(peakRss / 1024)} MiB at peak, ${Math.round(afterRss / 1024)} MiB after.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
gateway.child.kill('SIGTERM');
upstream.child.kill('SIGTERM');
