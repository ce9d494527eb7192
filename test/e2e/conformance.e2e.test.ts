/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance 0.2, which needs Node 22:
 * fetched with `npx -y -p node@22`), run with the requirements of each protocol era
 * (`--requirements 2025-11-25` and `2026-07-28`, which also run, unscored, the scenarios a revision
 * does not require) against our fixture of both eras (the SDK's v2 line) directly and through the
 * gateway (one per era, which speaks that era to the fixture), where the fixture is an upstream with
 * an empty prefix beside a second, prefixed upstream. Every scenario that passes directly must pass through the gateway, with the same
 * checks, but for the gateway's known gaps (knownGaps below).
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual, promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanEnv,
  repoRoot,
  startConformanceFixture,
  startFixtureHttp,
  startGateway,
  tempDir,
  type FixtureHttp,
  type RunningGateway,
} from '../helpers/processes.ts';
import { knownGaps, sseOnlyChecks, type Revision } from './conformance-gaps.ts';

const run = promisify(execFile);
const suite = join(repoRoot, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');

interface ScenarioResult {
  readonly passed: number;
  /** The ids of its checks that failed or warned, sorted. */
  readonly failing: readonly string[];
}

/** The checks' folders the suite writes: `server-<scenario>-<ISO time with dashes>`. */
const resultFolder = /^server-(.+)-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/;

/** Run what `revision` requires (and what it runs unscored) against `url`: each scenario's checks. */
async function conformance(url: string, revision: Revision): Promise<Map<string, ScenarioResult>> {
  const output = tempDir('mcpgw-conformance-');
  await run(
    'npx',
    ['-y', '-p', 'node@22', '--', 'node', suite, 'server', '--url', url, '--requirements', revision, '-o', output],
    { env: cleanEnv(), timeout: 240_000, maxBuffer: 64 * 1024 * 1024 },
  ).catch(() => {}); // a failing scenario exits 1; its checks say which
  const results = new Map<string, ScenarioResult>();
  for (const folder of readdirSync(output)) {
    const name = resultFolder.exec(folder)?.[1];
    if (name === undefined) continue;
    const checks = JSON.parse(readFileSync(join(output, folder, 'checks.json'), 'utf8')) as {
      id: string;
      status: string;
    }[];
    results.set(name, {
      passed: checks.filter((check) => check.status === 'SUCCESS').length,
      failing: [
        ...new Set(checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING').map((c) => c.id)),
      ].sort(),
    });
  }
  return results;
}

let fixture: FixtureHttp;
let neighbour: FixtureHttp;
/**
 * A gateway per revision, speaking that revision to the fixture (`protocol:` pinned): the fixture's
 * tools for one era's scenarios use that era's ways of asking the client (a request on the stream
 * in 2025-11-25, an `input_required` result in 2026-07-28), so each run reaches it in its own era.
 */
const gateways: Partial<Record<Revision, RunningGateway>> = {};

beforeAll(async () => {
  [fixture, neighbour] = await Promise.all([startConformanceFixture(), startFixtureHttp('neighbour')]);
  const revisions: Revision[] = ['2025-11-25', '2026-07-28'];
  await Promise.all(
    revisions.map(async (revision) => {
      gateways[revision] = await startGateway({
        config: {
          proxy: {
            servers: [
              {
                name: 'conformance',
                type: 'streamable-http',
                prefix: '',
                protocol: revision,
                connection: { url: fixture.url },
              },
              { name: 'neighbour', type: 'streamable-http', connection: { url: neighbour.url } },
            ],
          },
        },
      });
    }),
  );
});

afterAll(async () => {
  await Promise.all(Object.values(gateways).map((gateway) => gateway.stop()));
  await Promise.all([neighbour?.stop(), fixture?.stop()]);
});

describe.each<[string, Revision, Revision, number]>([
  // The scenarios each revision's requirements run, scored or not, and the era the gateway speaks
  // to the fixture: that revision's, and for 2026-07-28 also 2025-11-25, where the gateway makes
  // the input_required rounds itself out of the fixture's requests to the client.
  ['2025-11-25', '2025-11-25', '2025-11-25', 33],
  ['2026-07-28', '2026-07-28', '2026-07-28', 50],
  ['2026-07-28 to a 2025-11-25 upstream', '2026-07-28', '2025-11-25', 50],
])('conformance to %s', (run, revision, upstreamEra, scenarios) => {
  it('passes through the gateway every scenario the fixture passes directly, but for known gaps', {
    timeout: 300_000,
  }, async () => {
    // The two runs are independent: one server each, at the same time.
    const [direct, throughGateway] = await Promise.all([
      conformance(fixture.url, revision),
      conformance(gateways[upstreamEra]!.mcpUrl, revision),
    ]);
    expect(direct.size).toBe(scenarios);
    const gaps = knownGaps[run]!;
    // Every scenario that differs through the gateway, with what differs: its failing checks for a
    // listed gap, the whole result otherwise. One comparison shows every difference at once.
    const differences: Record<string, unknown> = {};
    for (const [name, result] of direct) {
      if (result.failing.length > 0) continue; // the fixture does not pass it (an extension the SDK lacks)
      const through = throughGateway.get(name);
      if (gaps[name] || (sseOnlyChecks[revision].has(name) && through?.failing.length))
        differences[name] = through?.failing;
      else if (!sseOnlyChecks[revision].has(name) && !isDeepStrictEqual(through, result))
        differences[name] = through ?? 'not run';
    }
    expect(differences).toEqual(gaps);
    // A gap of a scenario the fixture no longer passes directly is stale too.
    const passingDirectly = [...direct].filter(([, result]) => result.failing.length === 0).map(([name]) => name);
    expect(Object.keys(gaps).filter((name) => !passingDirectly.includes(name))).toEqual([]);
  });
});
