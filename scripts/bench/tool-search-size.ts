/**
 * Section `tool-search-size`: what a client is given with tool search and without it, over 20
 * servers × 200 realistic tools (scripts/bench/many-tools.ts). Without: every page of `tools/list`
 * from a gateway on the same upstreams with no `tool_search` section (what an endpoint without
 * search serves). With: that endpoint's `tools/list` (its three tools) and the answers of
 * `search_tools` to ten tasks of test/fixtures/tool-search/queries.json.
 */
import { corpus } from './many-tools.ts';
import { Checks, type Section } from './report.ts';
import {
  gatewayConfig,
  notASearchEndpoint,
  RawSession,
  typicalQueries,
  withGateway,
  withManyTools,
} from './search-gateway.ts';

type Progress = (line: string) => void;

const servers = 20;
const toolsPerServer = 200;
const queryCount = 10;
/** Issue 24: a search answer under 5% of the full list. */
const maxShare = 0.05;

/** A model's tokens, estimated as characters ÷ 4 (no tokenizer among the dependencies). */
const tokens = (chars: number) => Math.round(chars / 4);
const thousands = (n: number) => n.toLocaleString('en');
const percent = (share: number) => `${(share * 100).toFixed(2)} %`;
const clip = (text: string, max = 48) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export const toolSearchSizeSection = (progress: Progress): Promise<Section> =>
  withManyTools(servers, toolsPerServer, async (fixture) => {
    progress('tool-search-size: every page of tools/list, from a gateway without tool_search');
    const full = await withGateway(gatewayConfig(fixture, false), async (gateway) => {
      const session = await RawSession.open(gateway.mcpUrl);
      try {
        return await session.listTools();
      } finally {
        await session.close();
      }
    });
    const expected = servers * toolsPerServer;
    if (full.tools.length !== expected)
      throw new Error(`the gateway without tool_search lists ${full.tools.length} tools, not ${expected}`);
    const fullChars = JSON.stringify(full.tools).length;

    progress('tool-search-size: tools/list and search_tools, from a gateway with tool_search');
    const withSearch = await withGateway(gatewayConfig(fixture, true), async (gateway) => {
      const session = await RawSession.open(gateway.mcpUrl);
      try {
        const list = await session.listTools();
        const problem = notASearchEndpoint(list.tools);
        if (problem) throw new Error(problem);
        const answers = [];
        for (const query of typicalQueries(queryCount)) answers.push({ query, ...(await session.search(query)) });
        return { list, answers };
      } finally {
        await session.close();
      }
    });

    const checks = new Checks();
    const share = (bytes: number) => bytes / full.bytes;
    const shares = withSearch.answers.map((answer) => share(answer.bytes)).sort((a, b) => a - b);
    const median = (shares[(shares.length - 1) >> 1]! + shares[shares.length >> 1]!) / 2;
    const listChars = JSON.stringify(withSearch.list.tools).length;
    const rows = [
      [
        `\`tools/list\` without search (${full.pages} page${full.pages === 1 ? '' : 's'})`,
        thousands(full.tools.length),
        thousands(full.bytes),
        thousands(tokens(fullChars)),
        '100 %',
      ],
      [
        '`tools/list` with search',
        String(withSearch.list.tools.length),
        thousands(withSearch.list.bytes),
        thousands(tokens(listChars)),
        percent(share(withSearch.list.bytes)),
      ],
      ...withSearch.answers.map((answer) => [
        `\`search_tools\` "${clip(answer.query)}"`,
        String(answer.tools.length),
        thousands(answer.bytes),
        thousands(tokens(answer.text.length)),
        percent(share(answer.bytes)),
      ]),
    ];
    checks.atMost(`median search answer ÷ full list (${queryCount} queries)`, median, maxShare, percent);
    return {
      key: 'tool-search-size',
      title: `What a client is given over ${servers} servers × ${toolsPerServer} tools: every tool, or the search tools and a search's answer`,
      settings:
        `Upstreams: ${servers} servers of ${toolsPerServer} tools each in one process (scripts/bench/many-tools-server.ts), the tools made from the ${corpus().length} real tool definitions of test/fixtures/tool-search/corpus.json, each paired with a business domain (names, descriptions, schemas as published). ` +
        'Without search: every page of `tools/list` from a gateway on the same upstreams without `tool_search` (the full list an endpoint without search serves). ' +
        `With search: the same upstreams behind a gateway with \`tool_search: {}\`; ${queryCount} tasks of test/fixtures/tool-search/queries.json, evenly spread, at the default limit. ` +
        "Bytes: the answers' bodies as sent (JSON-RPC, the search answer carrying its tools twice, as structured content and as text). Tokens: what a model is given (the tools' definitions; the search answer's text), estimated as characters ÷ 4.",
      align: 'lrrrr',
      columns: ['answer', 'tools', 'bytes', '≈ tokens', '÷ full list (bytes)'],
      rows,
      checks: checks.list,
      notes: [
        `Search answers: median ${percent(median)}, largest ${percent(shares[shares.length - 1]!)} of the full list; the search tools' own definitions, listed once per session, ${percent(share(withSearch.list.bytes))}.`,
      ],
      data: {
        servers,
        toolsPerServer,
        fullList: { tools: full.tools.length, pages: full.pages, bytes: full.bytes, tokens: tokens(fullChars) },
        searchList: { tools: withSearch.list.tools.length, bytes: withSearch.list.bytes, tokens: tokens(listChars) },
        answers: withSearch.answers.map(({ query, tools, bytes, text }) => ({
          query,
          tools: tools.map((tool) => tool.name),
          bytes,
          tokens: tokens(text.length),
          share: share(bytes),
        })),
        medianShare: median,
      },
    };
  });
