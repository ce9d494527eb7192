/**
 * The ranking of tool search: a MiniSearch index (BM25) over each tool's name, description and
 * parameters (names and descriptions, option values), searched with light stemming, synonyms and
 * prefixes. The index is kept, not rebuilt: `update()` takes the whole new list of tools (after a
 * `list_changed`, a reload or an upstream's restart) and re-indexes only the tools that changed.
 */
import MiniSearch from 'minisearch';
import { synonyms, terms } from './terms.ts';

/** What the ranking reads of a tool: its definition as `tools/list` gives it. */
export interface SearchableTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: unknown;
}

export interface ToolHit {
  name: string;
  score: number;
}

export interface SearchOptions {
  /** At most this many hits (default 10, at most 100). */
  limit?: number;
  /** Only the tools it accepts are found (those the caller may use). */
  allowed?: (name: string) => boolean;
}

/** How long a slice of `updateInSlices` works before it lets other work run. */
const SLICE_MS = 8;

/** Bounds on what one query may cost: a pasted document is searched by its beginning. */
export const MAX_QUERY_CHARS = 1000;
export const MAX_QUERY_TERMS = 32;
/** Bounds on what one tool may put in the index: a schema of thousands of properties is indexed by its beginning. */
const MAX_FIELD_CHARS = 4000;
const MAX_SCHEMA_DEPTH = 4;

/**
 * A tool's name weighs most (it is short and chosen), its description next, its parameters least:
 * many tools share parameter names (`path`, `url`), and a match there says less about the tool.
 */
const boost = { name: 3, description: 1.5, parameters: 0.5 };
/** See `#common`: the lowest share that lost no query on the corpus (0.2 lost four), by scripts/tool-search-quality.ts. */
const COMMON_SHARE = 0.3;
const COMMON_CUT_FROM = 1000;
/** A synonym of a query word counts for less than the word itself. */
const SYNONYM_WEIGHT = 0.4;

interface ToolDocument {
  id: string;
  name: string;
  description: string;
  parameters: string;
}

/** Parameter names and descriptions, nested objects and array items included, within the bounds. */
function parameterText(schema: unknown, depth = 0, out: string[] = []): string[] {
  if (depth > MAX_SCHEMA_DEPTH || schema === null || typeof schema !== 'object') return out;
  const { properties, items } = schema as { properties?: unknown; items?: unknown };
  if (properties && typeof properties === 'object') {
    for (const [key, value] of Object.entries(properties)) {
      out.push(key);
      const description = (value as { description?: unknown } | null)?.description;
      if (typeof description === 'string') out.push(description);
      // The choices of an option name what the tool can do ("driving", "walking").
      const choices = (value as { enum?: unknown } | null)?.enum;
      if (Array.isArray(choices)) out.push(...choices.filter((choice) => typeof choice === 'string'));
      parameterText(value, depth + 1, out);
    }
  }
  if (items) parameterText(items, depth + 1, out);
  return out;
}

function toDocument(tool: SearchableTool): ToolDocument {
  const bounded = (text: string) => text.slice(0, MAX_FIELD_CHARS);
  return {
    id: tool.name,
    name: bounded(`${tool.name} ${tool.title ?? ''}`),
    description: bounded(tool.description ?? ''),
    parameters: bounded(parameterText(tool.inputSchema).join(' ')),
  };
}

/** A document's text, to tell whether a tool changed since it was indexed. */
const fingerprint = (doc: ToolDocument) => `${doc.name}\u0000${doc.description}\u0000${doc.parameters}`;

export class ToolIndex {
  readonly #search = new MiniSearch<ToolDocument>({
    fields: ['name', 'description', 'parameters'],
    // `terms()` both splits and normalises; the per-term hook is then the identity.
    tokenize: (text) => {
      const found = terms(text);
      for (const term of found) this.#adding.add(term);
      return found;
    },
    processTerm: (term) => term,
  });
  readonly #indexed = new Map<string, string>();
  /**
   * Each tool definition's document, by the definition object: the gateway keeps the objects of
   * tools that did not change, so an update after a change of a few tools in a large catalogue
   * reads the others' documents here instead of making them again.
   */
  readonly #documents = new WeakMap<SearchableTool, { doc: ToolDocument; print: string }>();
  /** In how many tools each term occurs, to leave out of a search the words most tools share. */
  readonly #frequency = new Map<string, number>();
  /** The terms of the tool being added. */
  readonly #adding = new Set<string>();

  constructor(tools: readonly SearchableTool[] = []) {
    this.update(tools);
  }

  /**
   * Words in more than this share of a large catalogue's tools barely rank (BM25 weighs them
   * little) but are what a search spends its time on: the tools they match. They are left out of
   * a search, unless nothing else is left. A small catalogue keeps every word: it is searched in
   * well under a millisecond, and there a word in 2 tools of 5 still tells them apart.
   */
  get #common(): number {
    return this.size < COMMON_CUT_FROM ? Number.POSITIVE_INFINITY : COMMON_SHARE * this.size;
  }

  get size(): number {
    return this.#indexed.size;
  }

  /**
   * Makes the index hold exactly `tools` (unique names): tools gone or changed are discarded
   * (MiniSearch cleans them out later, in the background), new and changed ones are added, and
   * the unchanged ones cost one string comparison.
   */
  update(tools: readonly SearchableTool[]): void {
    for (const _ of this.#steps(tools));
  }

  /**
   * `update`, in slices of a few milliseconds with other work (requests) let run between them:
   * indexing a catalogue of thousands of tools must not hold the gateway up.
   */
  async updateInSlices(tools: readonly SearchableTool[]): Promise<void> {
    let sliceEnd = performance.now() + SLICE_MS;
    for (const _ of this.#steps(tools)) {
      if (performance.now() < sliceEnd) continue;
      await new Promise((resolve) => setImmediate(resolve));
      sliceEnd = performance.now() + SLICE_MS;
    }
  }

  /** The work of an update, one tool at a time. */
  *#steps(tools: readonly SearchableTool[]): Generator<void> {
    const current = new Set<string>();
    for (const tool of tools) {
      current.add(tool.name);
      let made = this.#documents.get(tool);
      if (!made) {
        const doc = toDocument(tool);
        made = { doc, print: fingerprint(doc) };
        this.#documents.set(tool, made);
      }
      const { doc, print } = made;
      const previous = this.#indexed.get(tool.name);
      if (previous === print) continue;
      if (previous !== undefined) this.#remove(tool.name, previous);
      this.#search.add(doc);
      for (const term of this.#adding) this.#frequency.set(term, (this.#frequency.get(term) ?? 0) + 1);
      this.#adding.clear();
      this.#indexed.set(tool.name, print);
      yield;
    }
    for (const [name, print] of this.#indexed) {
      if (current.has(name)) continue;
      this.#remove(name, print);
      yield;
    }
  }

  #remove(name: string, print: string): void {
    this.#search.discard(name);
    this.#indexed.delete(name);
    // The fingerprint is the indexed text: its terms are the ones counted when it was added.
    for (const term of new Set(terms(print))) {
      const count = this.#frequency.get(term)! - 1;
      if (count === 0) this.#frequency.delete(term);
      else this.#frequency.set(term, count);
    }
  }

  /**
   * The tools that best match `query`, best first. A query with no searchable word (empty,
   * blank, only stop words, not a string) finds nothing; a long one is cut to its beginning.
   */
  search(query: string, options: SearchOptions = {}): ToolHit[] {
    if (typeof query !== 'string') return [];
    const words = [...new Set(terms(query.slice(0, MAX_QUERY_CHARS)))].slice(0, MAX_QUERY_TERMS);
    const rare = (term: string) => (this.#frequency.get(term) ?? 0) <= this.#common;
    const own = words.some(rare) ? words.filter(rare) : words;
    if (own.length === 0) return [];
    const extra = [...new Set(own.flatMap(synonyms))].filter((term) => !own.includes(term) && rare(term));
    const limit = Math.min(Math.max(Math.floor(options.limit ?? 10) || 10, 1), 100);
    return this.#search
      .search([...own, ...extra].join(' '), {
        tokenize: (text) => text.split(' '),
        boost,
        boostTerm: (_term, i) => (i < own.length ? 1 : SYNONYM_WEIGHT),
        // Prefixes of the query's own words long enough to mean something ("navigat" finds
        // "navigation"). No typo tolerance (fuzzy): models rarely misspell, and on the corpus it
        // found nothing more, for about a tenth of each search's time.
        prefix: (term, i) => i < own.length && term.length >= 4,
        ...(options.allowed && { filter: (result) => options.allowed!(result.id as string) }),
      })
      .slice(0, limit)
      .map((result) => ({ name: result.id as string, score: result.score }));
  }
}
