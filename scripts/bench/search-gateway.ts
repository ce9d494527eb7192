/**
 * What the tool-search sections share: the many-tools upstream process, the gateway's config in
 * front of it, and an MCP session over plain HTTP that calls `search_tools` and reads what comes
 * back (how many bytes, which tools).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpUpstream, startGateway, type GatewayProcess } from './gateway.ts';
import { root, start, stop, typeScriptArgs, type Started } from './processes.ts';
import { openSession, rpcResult, send } from './raw-http.ts';

/** The three tools an endpoint with search lists, by the plugin's contract. */
export const searchToolNames = ['call_tool', 'describe_tool', 'search_tools'];

export interface ManyTools {
  readonly started: Started;
  readonly servers: number;
  readonly tools: number;
  /** Server n's URL (1-based). */
  url(server: number): string;
  /** Each server's generation (index 0: server 1), as far as this side moved them. */
  readonly generations: number[];
  /** Every server (or one) to its next generation of tools, each of its sessions told with `list_changed`; how many were. */
  nextGeneration(server?: number): Promise<number>;
}

/** scripts/bench/many-tools-server.ts for as long as `run` runs. */
export async function withManyTools<T>(
  servers: number,
  tools: number,
  run: (fixture: ManyTools) => Promise<T>,
): Promise<T> {
  const started = await start(
    process.execPath,
    typeScriptArgs('scripts/bench/many-tools-server.ts', '--servers', String(servers), '--tools', String(tools)),
    { label: 'many-tools-server', ready: /\{"port":(\d+)\}/ },
  );
  const base = `http://127.0.0.1:${started.match![1]}`;
  const fixture: ManyTools = {
    started,
    servers,
    tools,
    url: (server) => `${base}/s${server}`,
    generations: Array.from({ length: servers }, () => 0),
    async nextGeneration(server?: number) {
      const query = server === undefined ? '' : `?server=${server}`;
      const response = await fetch(`${base}/generation${query}`, {
        method: 'POST',
        signal: AbortSignal.timeout(30_000),
      });
      const { notified } = (await response.json()) as { notified: number };
      for (let i = 0; i < servers; i++) if (server === undefined || server === i + 1) this.generations[i]!++;
      return notified;
    },
  };
  try {
    return await run(fixture);
  } finally {
    await stop(started.child);
  }
}

/** The gateway's config: every server of the fixture, with `tool_search` or without (then it lists every tool). */
export const gatewayConfig = (fixture: ManyTools, search: boolean) => ({
  proxy: {
    servers: Array.from({ length: fixture.servers }, (_, i) => httpUpstream(`s${i + 1}`, fixture.url(i + 1))),
  },
  ...(search && { tool_search: {} }),
});

/** A gateway on `config` for as long as `run` runs. */
export async function withGateway<T>(config: object, run: (gateway: GatewayProcess) => Promise<T>): Promise<T> {
  const gateway = await startGateway(config);
  try {
    return await run(gateway);
  } finally {
    await gateway.stop();
  }
}

export interface ListedTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: unknown;
}

export interface SearchAnswer {
  readonly tools: readonly ListedTool[];
  /** The answer's body, as it came. */
  readonly bytes: number;
  /** Its text content: what a model reads. */
  readonly text: string;
}

interface CallResult {
  isError?: boolean;
  content?: { type: string; text?: string }[];
  structuredContent?: { tools?: ListedTool[] };
}

/** An initialized session over plain keep-alive HTTP requests (scripts/bench/raw-http.ts). */
export class RawSession {
  readonly #url: URL;
  readonly #id: string;
  #requests = 0;

  private constructor(url: URL, id: string) {
    this.#url = url;
    this.#id = id;
  }

  static async open(mcpUrl: string): Promise<RawSession> {
    const url = new URL(mcpUrl);
    return new RawSession(url, await openSession(url));
  }

  request<T = unknown>(method: string, params?: object) {
    return rpcResult<T>(this.#url, this.#id, ++this.#requests, method, params);
  }

  /** Every page of `tools/list`: the tools, the pages and their bytes. */
  async listTools(): Promise<{ tools: ListedTool[]; pages: number; bytes: number }> {
    const tools: ListedTool[] = [];
    let cursor: string | undefined;
    let pages = 0;
    let bytes = 0;
    do {
      const page = await this.request<{ tools: ListedTool[]; nextCursor?: string }>(
        'tools/list',
        cursor === undefined ? undefined : { cursor },
      );
      tools.push(...page.result.tools);
      bytes += page.bytes;
      pages++;
      cursor = page.result.nextCursor;
    } while (cursor !== undefined);
    return { tools, pages, bytes };
  }

  /** `search_tools`, the plugin's answer checked against its contract. */
  async search(query: string, limit?: number): Promise<SearchAnswer> {
    const { result, bytes } = await this.request<CallResult>('tools/call', {
      name: 'search_tools',
      arguments: { query, ...(limit !== undefined && { limit }) },
    });
    const tools = result.structuredContent?.tools;
    const text = result.content?.find((item) => item.type === 'text')?.text;
    if (result.isError || !Array.isArray(tools) || text === undefined)
      throw new Error(
        `search_tools "${query}" did not answer as the contract says: ${JSON.stringify(result).slice(0, 300)}`,
      );
    return { tools, bytes, text };
  }

  close(): Promise<void> {
    return send(this.#url, 'DELETE', undefined, this.#id).then(
      () => {},
      () => {},
    );
  }
}

/** Why an endpoint does not list exactly the three search tools; undefined when it does. */
export function notASearchEndpoint(tools: readonly ListedTool[]): string | undefined {
  const names = tools.map((tool) => tool.name).sort();
  return names.join() === searchToolNames.join()
    ? undefined
    : `with tool_search, the gateway lists ${names.length} tools (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}), not ${searchToolNames.join(', ')}: is the tool-search plugin there?`;
}

/** The tasks of test/fixtures/tool-search/queries.json. */
export function queries(): string[] {
  const file = join(root, 'test/fixtures/tool-search/queries.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { queries: { query: string }[] }).queries.map(({ query }) => query);
}

/** `count` of them, evenly spread over the file (which groups them by server). */
export function typicalQueries(count: number): string[] {
  const all = queries();
  return Array.from({ length: count }, (_, i) => all[Math.floor((i * all.length) / count)]!);
}

export const percentile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
