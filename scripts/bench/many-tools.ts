/**
 * The catalogue of scripts/bench/many-tools-server.ts: many realistic tools, made from the real
 * tool definitions of test/fixtures/tool-search/corpus.json (the tools of published servers),
 * each paired with a business domain, so that a list is as large and worded as real ones are
 * (schemas and parameter descriptions included), not filler text. Deterministic: the same server,
 * size and generation always give the same tools, so the benchmark knows what to search for.
 *
 * A generation stands for the servers' tools changing (a `list_changed`): every tool of every
 * server gets another domain, so every name and description changes, and one tool per server
 * carries a codename of the generation, a word found nowhere else in the catalogue, which a
 * search finds only once the new generation is indexed.
 */
import { readFileSync } from 'node:fs';

// Not from processes.ts, whose import starts a scratch folder: the fixture's test imports this file.
const corpusFile = new URL('../../test/fixtures/tool-search/corpus.json', import.meta.url);

export interface Tool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

interface Corpus {
  servers: { server: string; tools: Tool[] }[];
}

let corpusTools: readonly Tool[] | undefined;
/** The corpus's tools, in file order. */
export function corpus(): readonly Tool[] {
  corpusTools ??= (JSON.parse(readFileSync(corpusFile, 'utf8')) as Corpus).servers.flatMap((server) => server.tools);
  return corpusTools;
}

/**
 * A server's tool i is corpus tool (i + 13·server) mod C in domain (i + 5·server + generation)
 * mod D (C tools in the corpus, D domains): two tools of one server share a corpus tool only C
 * apart, so while C is not a multiple of D they never share a domain too, and names stay unique
 * (test/bench/many-tools.test.ts checks it on the corpus as it is).
 */
const domains = [
  'billing',
  'inventory',
  'payroll',
  'support',
  'marketing',
  'analytics',
  'compliance',
  'logistics',
  'recruiting',
  'finance',
  'sales',
  'legal',
  'security',
  'procurement',
  'onboarding',
  'research',
  'design',
  'docs',
  'infra',
  'mobile',
  'web',
  'data',
  'quality',
  'operations',
  'crm',
  'erp',
  'people',
  'facilities',
  'events',
  'partners',
  'training',
  'travel',
  'catalog',
  'orders',
  'shipping',
  'warehouse',
  'tax',
  'audit',
  'reporting',
  'localization',
] as const;

/** Words absent from the corpus (checked by test/bench/many-tools.test.ts). */
export const codenames = [
  'aurora',
  'borealis',
  'dynamo',
  'fjord',
  'glacier',
  'juniper',
  'kestrel',
  'lumen',
  'isotope',
  'halcyon',
  'meridian',
  'nimbus',
  'obsidian',
  'quasar',
  'zephyr',
] as const;

/**
 * Servers fall into this many groups (by their number), each with a codename of its own in a
 * generation, so that one search finds a group's marked tools within the search tool's usual
 * limits (a fifth of the servers in each).
 */
export const codenameGroups = 5;

/** The codename of server `server`'s group in `generation`: consecutive generations share none. */
export const codename = (generation: number, server: number) =>
  codenames[(generation * codenameGroups + ((server - 1) % codenameGroups)) % codenames.length]!;

/** The one tool of a server (its index) that carries the generation's codename. */
export const codenameTool = (server: number, tools: number, generation: number) => (server * 7 + generation) % tools;

const capitalized = (word: string) => word[0]!.toUpperCase() + word.slice(1);

/** How a domain goes into a description: three ways, so that the catalogue does not repeat one phrase. */
const phrasings = [
  (description: string, domain: string) => `${description} Scoped to the ${domain} workspace.`,
  (description: string, domain: string) => `${capitalized(domain)}: ${description}`,
  (description: string, domain: string) => `${description} (for the ${domain} team)`,
];

/** Server `server` (1-based, as in its path `/s<server>`): `count` tools of `generation`. */
export function serverTools(server: number, count: number, generation = 0): Tool[] {
  const source = corpus();
  const marked = codenameTool(server, count, generation);
  return Array.from({ length: count }, (_, i) => {
    const tool = source[(i + 13 * server) % source.length]!;
    const domain = domains[(i + 5 * server + generation) % domains.length]!;
    const phrase = phrasings[(i + server) % phrasings.length]!;
    const description = phrase(tool.description ?? '', domain);
    return {
      ...tool,
      name: `${domain}_${tool.name}`,
      description:
        i === marked ? `${description} Part of the ${capitalized(codename(generation, server))} release.` : description,
    };
  });
}
