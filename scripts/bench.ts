/**
 * `npm run bench`: the gateway's performance, each section one README-ready markdown table (or,
 * with --json, one JSON document), every target marked ✓ or ✗.
 *
 *   npm run bench -- [--only call,eras,stdio,list,sessions,startup,tool-search,peers,replicas,chaos] [--peers] [--replicas] [--duration 5] [--warmup 1]
 *                    [--concurrency 1,16] [--rounds 3] [--sessions 10000] [--kills 20] [--json]
 *
 * Sections: call (tools/call to a Streamable HTTP upstream, direct and through the gateway), eras
 * (tools/call in both protocol eras, direct, through the gateway and through the byte proxy, with
 * the gateway's and the byte proxy's CPU per call), stdio (a stdio upstream served by the gateway,
 * against the SDK's own HTTP server), list (tools/list over 20 upstreams × 200 tools), sessions (RSS per idle session, N at once), startup (spawn to /ready),
 * tool-search (two sections: tool-search-size, what a client is given over 20 × 200 realistic tools
 * with search and without; tool-search-speed, search latency and indexing over 10,000 tools),
 * peers (mcp-hub, mcp-proxy, supergateway from npm; not by default, since it installs them), and
 * replicas (1 and 3 gateways behind nginx, sessions in Redis; not by default, since it needs
 * Debian's nginx and redis-server), and chaos (an HTTP upstream killed and restarted under load,
 * `--kills` times; not by default, since it takes a minute).
 * Upstreams, the gateway and peers each run in their own process; the load comes from SDK clients
 * in this one. Progress goes to stderr, results to stdout (`npm run -s bench -- --json > bench.json`:
 * without -s, npm prints its own header line first).
 */
import { parseArgs } from 'node:util';
import type { CompareOptions } from './bench/compare.ts';
import { peersSection } from './bench/peers.ts';
import { environment, json, markdown, type Section } from './bench/report.ts';
import { sessionsSection } from './bench/sessions.ts';
import { startupSection } from './bench/startup.ts';
import { replicasSection } from './bench/replicas.ts';
import { callSection, listSection, stdioSection } from './bench/throughput.ts';
import { erasSection } from './bench/eras.ts';
import { chaosSection } from './bench/chaos.ts';
import { toolSearchSizeSection } from './bench/tool-search-size.ts';
import { toolSearchSpeedSection } from './bench/tool-search-speed.ts';
import { build } from '../core/cli/build.js';

const usage = (message: string): never => {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
};

const options = {
  only: { type: 'string' },
  peers: { type: 'boolean', default: false },
  replicas: { type: 'boolean', default: false },
  kills: { type: 'string', default: '20' },
  duration: { type: 'string', default: '5' },
  warmup: { type: 'string', default: '1' },
  concurrency: { type: 'string', default: '1,16' },
  rounds: { type: 'string', default: '3' },
  sessions: { type: 'string', default: '10000' },
  json: { type: 'boolean', default: false },
} as const;
const parsed = () => {
  try {
    return parseArgs({ options }).values;
  } catch (error) {
    return usage((error as Error).message);
  }
};
const values = parsed();

const number = (name: string, text: string, { integer = false, min = 0 } = {}) => {
  const n = Number(text);
  if (!(n >= min) || (integer && !Number.isInteger(n)))
    usage(`--${name} expects ${integer ? 'an integer' : 'a number'} ≥ ${min}, not "${text}"`);
  return n;
};
const compare: CompareOptions = {
  levels: values.concurrency.split(',').map((level) => number('concurrency', level, { integer: true, min: 1 })),
  rounds: number('rounds', values.rounds, { integer: true, min: 1 }),
  warmupMs: number('warmup', values.warmup) * 1000,
  durationMs: number('duration', values.duration, { min: 0.1 }) * 1000,
};
const sessionCount = number('sessions', values.sessions, { integer: true, min: 1 });
const progress = (line: string) => process.stderr.write(`  ${line}\n`);

const sections: Record<string, () => Promise<Section>> = {
  call: () => callSection(compare, progress),
  eras: () => erasSection(compare, progress),
  stdio: () => stdioSection(compare, progress),
  list: () => listSection(compare, progress),
  sessions: () => sessionsSection(sessionCount, progress),
  startup: () => startupSection(progress),
  'tool-search-size': () => toolSearchSizeSection(progress),
  'tool-search-speed': () => toolSearchSpeedSection(compare, progress),
  peers: () => peersSection(compare, progress),
  replicas: () => replicasSection(compare, progress),
  chaos: () => chaosSection({ kills: number('kills', values.kills, { integer: true, min: 1 }), clients: 4 }, progress),
};
/** Names that stand for several sections. */
const groups: Record<string, readonly string[]> = { 'tool-search': ['tool-search-size', 'tool-search-speed'] };
const chosen =
  values.only?.split(',').flatMap((name) => groups[name.trim()] ?? [name.trim()]) ??
  Object.keys(sections).filter((name) => name !== 'peers' && name !== 'replicas' && name !== 'chaos');
if (values.peers && !chosen.includes('peers')) chosen.push('peers');
if (values.replicas && !chosen.includes('replicas')) chosen.push('replicas');
const unknown = chosen.filter((name) => !(name in sections));
if (unknown.length)
  usage(
    `unknown section(s) ${unknown.join(', ')}: choose among ${[...Object.keys(sections), ...Object.keys(groups)].join(', ')}`,
  );

// Built first, so that the gateways measured run today's sources, as `npm start` would.
await build({ types: false });
const env = environment();
const done: Section[] = [];
const failed: Record<string, string> = {};
for (const name of chosen) {
  progress(`${name}…`);
  try {
    const section = await sections[name]!();
    done.push(section);
    if (!values.json) process.stdout.write(`${markdown(env, section)}\n`);
  } catch (error) {
    // The gateway being rebuilt, a peer's registry down: say so, and go on with the other sections.
    failed[name] = error instanceof Error ? error.message : String(error);
    progress(`${name} failed: ${failed[name]}`);
  }
}
if (values.json)
  process.stdout.write(json(env, { ...compare, sessions: sessionCount, sections: chosen }, done, failed));
process.exitCode = Object.keys(failed).length ? 1 : 0;
// Keep-alive sockets and the like must not hold the process once everything is measured.
process.exit();
