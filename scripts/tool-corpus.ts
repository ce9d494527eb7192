/**
 * Rebuilds test/fixtures/tool-search/corpus.json: the tool definitions of published MCP servers,
 * each started from the npm registry (`npx -y package@version`, versions pinned so that the corpus
 * can be rebuilt as it is) and asked `tools/list` with the SDK's client. A server that does not
 * start or answer in time is skipped with one line. Credentials are never needed to list tools;
 * a few servers refuse to start without a key in their environment, so they get a dummy one
 * (it is never used: no tool is called).
 *
 *   npx tsx scripts/tool-corpus.ts
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { repoRoot } from '../test/helpers/processes.ts';

interface ServerSpec {
  /** The name the gateway would give the server (the part before `__`). */
  name: string;
  package: string;
  version: string;
  args?: (scratch: string) => string[];
  env?: Record<string, string>;
}

const servers: ServerSpec[] = [
  { name: 'everything', package: '@modelcontextprotocol/server-everything', version: '2026.8.31' },
  {
    name: 'filesystem',
    package: '@modelcontextprotocol/server-filesystem',
    version: '2026.8.31',
    args: (scratch) => [scratch],
  },
  {
    name: 'memory',
    package: '@modelcontextprotocol/server-memory',
    version: '2026.8.31',
    env: { MEMORY_FILE_PATH: 'MEMORY' },
  },
  { name: 'thinking', package: '@modelcontextprotocol/server-sequential-thinking', version: '2026.8.31' },
  { name: 'github', package: '@modelcontextprotocol/server-github', version: '2025.4.8' },
  {
    name: 'slack',
    package: '@modelcontextprotocol/server-slack',
    version: '2025.4.25',
    env: { SLACK_BOT_TOKEN: 'dummy', SLACK_TEAM_ID: 'dummy' },
  },
  {
    name: 'brave',
    package: '@modelcontextprotocol/server-brave-search',
    version: '0.6.2',
    env: { BRAVE_API_KEY: 'dummy' },
  },
  {
    name: 'maps',
    package: '@modelcontextprotocol/server-google-maps',
    version: '0.6.2',
    env: { GOOGLE_MAPS_API_KEY: 'dummy' },
  },
  {
    name: 'postgres',
    package: '@modelcontextprotocol/server-postgres',
    version: '0.6.2',
    args: () => ['postgresql://127.0.0.1:1/none'],
  },
  { name: 'playwright', package: '@playwright/mcp', version: '0.0.86', args: () => ['--headless'] },
  { name: 'devtools', package: 'chrome-devtools-mcp', version: '1.11.0', args: () => ['--headless'] },
  { name: 'context7', package: '@upstash/context7-mcp', version: '4.1.1' },
  { name: 'notion', package: '@notionhq/notion-mcp-server', version: '2.5.2' },
];

/** The first start installs the package into npx's cache, hence the generous bound. */
const START_TIMEOUT_MS = 180_000;
/** Few at once: the machine is shared, and each start is an npm install. */
const CONCURRENCY = 3;

interface CorpusTool {
  name: string;
  description?: string;
  inputSchema: unknown;
}

async function listTools(spec: ServerSpec, scratch: string): Promise<CorpusTool[]> {
  const memoryFile = join(scratch, 'memory.jsonl');
  const env = Object.fromEntries(
    Object.entries(spec.env ?? {}).map(([key, value]) => [key, value === 'MEMORY' ? memoryFile : value]),
  );
  const transport = new StdioClientTransport({
    command: 'npx',
    args: ['-y', `${spec.package}@${spec.version}`, ...(spec.args?.(scratch) ?? [])],
    env: { ...getDefaultEnvironment(), ...env },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'mcp-gateway-tool-corpus', version: '1.0.0' });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
  });
  try {
    await Promise.race([client.connect(transport), timeout]);
    const tools: CorpusTool[] = [];
    let cursor: string | undefined;
    do {
      const page = await Promise.race([client.listTools(cursor ? { cursor } : {}), timeout]);
      tools.push(
        ...page.tools.map(({ name, description, inputSchema }) => ({
          name,
          ...(description === undefined ? {} : { description }),
          inputSchema,
        })),
      );
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  } finally {
    clearTimeout(timer);
    await client.close().catch(() => {});
  }
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'mcp-tool-corpus-'));
  const results = new Map<string, { server: string; package: string; tools: CorpusTool[] }>();
  const queue = [...servers];
  const worker = async () => {
    for (let spec = queue.shift(); spec; spec = queue.shift()) {
      const folder = join(scratch, spec.name);
      mkdirSync(folder);
      try {
        const tools = await listTools(spec, folder);
        results.set(spec.name, { server: spec.name, package: `${spec.package}@${spec.version}`, tools });
        console.log(`${spec.name}: ${tools.length} tools (${spec.package}@${spec.version})`);
      } catch (error) {
        console.log(`${spec.name}: skipped, ${(error as Error).message} (${spec.package}@${spec.version})`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  // In the order of the list above, whatever order they answered in, so that a rebuild diffs cleanly.
  const corpus = servers.flatMap((spec) => results.get(spec.name) ?? []);
  const file = join(repoRoot, 'test/fixtures/tool-search/corpus.json');
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ servers: corpus }, null, 2)}\n`);
  const count = corpus.reduce((sum, server) => sum + server.tools.length, 0);
  console.log(`${corpus.length} servers, ${count} tools -> ${file}`);
}

await main();
