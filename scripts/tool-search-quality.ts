/**
 * The quality and speed of tool search's ranking (plugins/tool-search/ranking.ts), in process:
 * recall@1 and recall@5 of the queries in test/fixtures/tool-search/queries.json over the corpus
 * of real tool definitions beside them, then the index build time and the p50 search time over
 * 10,000 tools (the corpus copied under new server names), with recall@1 at that size. Tools
 * are named `server__tool`, as the gateway names them to clients.
 *
 *   npx tsx scripts/tool-search-quality.ts [--misses]
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type SearchableTool, ToolIndex } from '../plugins/tool-search/ranking.ts';
import { repoRoot } from '../test/helpers/processes.ts';

interface Corpus {
  servers: { server: string; package: string; tools: SearchableTool[] }[];
}
interface Queries {
  queries: { query: string; expected: string[] }[];
}

const fixtures = join(repoRoot, 'test/fixtures/tool-search');
const corpus = JSON.parse(readFileSync(join(fixtures, 'corpus.json'), 'utf8')) as Corpus;
const { queries } = JSON.parse(readFileSync(join(fixtures, 'queries.json'), 'utf8')) as Queries;
const showMisses = process.argv.includes('--misses');

/** The corpus's tools as a client of the gateway sees them, the server's name in front. */
function catalogue(copy = 0): SearchableTool[] {
  return corpus.servers.flatMap(({ server, tools }) =>
    tools.map((tool) => ({ ...tool, name: `${copy ? `${server}-copy${copy}` : server}__${tool.name}` })),
  );
}

const gatewayName = (expected: string) => expected.replace('/', '__');
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

/** The share of queries whose expected tool (any copy of it, in a replicated catalogue) is in the top `k`. */
function recall(index: ToolIndex, k: number): number {
  // `github-copy7__create_issue` is a copy of `github__create_issue`.
  const original = (name: string) => name.replace(/-copy\d+__/, '__');
  let found = 0;
  for (const { query, expected } of queries) {
    const names = index.search(query, { limit: k }).map((hit) => original(hit.name));
    const wanted = expected.map(gatewayName);
    const rank = names.findIndex((name) => wanted.includes(name));
    if (rank >= 0) found++;
    if (showMisses && k === 5 && index.size === catalogue().length && rank !== 0) {
      console.log(`  ${rank < 0 ? 'miss' : `#${rank + 1}`}  "${query}" -> ${names.join(', ')}`);
    }
  }
  return found / queries.length;
}

function quality(): void {
  const index = new ToolIndex(catalogue());
  const tools = corpus.servers.reduce((sum, server) => sum + server.tools.length, 0);
  console.log(`corpus: ${corpus.servers.length} servers, ${tools} tools; ${queries.length} queries`);
  console.log(`recall@5 ${recall(index, 5).toFixed(3)} (target >= 0.9)`);
  console.log(`recall@1 ${recall(index, 1).toFixed(3)} (target >= 0.7)`);
}

function speed(target = 10_000): void {
  const base = catalogue().length;
  const tools = Array.from({ length: Math.ceil(target / base) }, (_, copy) => catalogue(copy + 1))
    .flat()
    .slice(0, target);
  // The first build warms the JIT; the second is the one reported, as the gateway would see a rebuild.
  new ToolIndex(tools);
  let start = performance.now();
  const index = new ToolIndex(tools);
  const build = performance.now() - start;
  // A reload where one server in ten changed its descriptions: only those tools are re-indexed.
  const changed = tools.map((tool, i) => (i % 10 === 0 ? { ...tool, description: `${tool.description} (v2)` } : tool));
  start = performance.now();
  index.update(changed);
  const update = performance.now() - start;
  // A large catalogue leaves its most common words out of a search (ranking.ts, `#common`): the
  // corpus's tools must still come first among their copies.
  console.log(`recall@1 over ${tools.length} tools (any copy of the tool) ${recall(index, 1).toFixed(3)}`);
  const times: number[] = [];
  // CPU time beside wall time: on a shared machine the wall time includes waiting for a core.
  const cpu = process.cpuUsage();
  for (let round = 0; round < 5; round++) {
    for (const { query } of queries) {
      start = performance.now();
      index.search(query, { limit: 10 });
      times.push(performance.now() - start);
    }
  }
  const { user, system } = process.cpuUsage(cpu);
  times.sort((a, b) => a - b);
  console.log(`index of ${tools.length} tools: build ${build.toFixed(0)} ms, update of 10% ${update.toFixed(0)} ms`);
  console.log(
    `search over ${tools.length} tools: p50 ${percentile(times, 0.5).toFixed(2)} ms, p90 ${percentile(times, 0.9).toFixed(2)} ms, mean CPU ${((user + system) / 1000 / times.length).toFixed(2)} ms (${times.length} searches)`,
  );
}

quality();
// Times mean little without the machine's load beside them.
console.log(
  `machine: ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}, Node ${process.version}`,
);
speed();
