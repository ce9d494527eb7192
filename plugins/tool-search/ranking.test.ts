import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_QUERY_CHARS, type SearchableTool, ToolIndex } from './ranking.ts';
import { stem, terms } from './terms.ts';

interface Corpus {
  servers: { server: string; tools: SearchableTool[] }[];
}

const corpus = JSON.parse(
  readFileSync(new URL('../../test/fixtures/tool-search/corpus.json', import.meta.url), 'utf8'),
) as Corpus;
/** The corpus as the gateway lists it: `server__tool`. */
const catalogue = corpus.servers.flatMap(({ server, tools }) =>
  tools.map((tool) => ({ ...tool, name: `${server}__${tool.name}` })),
);
const top = (index: ToolIndex, query: string, limit = 5) => index.search(query, { limit }).map((hit) => hit.name);

describe('terms', () => {
  it('splits identifiers, lowercases, drops stop words and folds plurals, -ing and -ed', () => {
    expect(terms('browser_take_screenshot')).toEqual(['browser', 'take', 'screenshot']);
    expect(terms('getFileInfo API-post-page')).toEqual(['get', 'file', 'info', 'api', 'post', 'page']);
    expect(terms('Use this tool to list the files')).toEqual(['list', 'file']);
    expect(stem('created')).toBe(stem('create'));
    expect(stem('running')).toBe('run');
    expect(stem('repositories')).toBe('repository');
  });

  it('reads a URL as the word "url"', () => {
    expect(terms('go to https://example.com/a?b=c now')).toEqual(['go', 'url', 'now']);
  });
});

describe('ToolIndex over the corpus', () => {
  const index = new ToolIndex(catalogue);

  it.each([
    ['start a new git branch called release-2', 'github__create_branch'],
    ['rename notes.txt to notes-old.txt', 'filesystem__move_file'],
    ['react with a thumbs up emoji to the message', 'slack__slack_add_reaction'],
    ['which directories am I permitted to access', 'filesystem__list_allowed_directories'],
    ['check the page SEO and accessibility scores', 'devtools__lighthouse_audit'],
  ])('ranks the right tool first for "%s"', (query, tool) => {
    expect(top(index, query)[0]).toBe(tool);
  });

  it.each([
    ['which files did PR #17 touch', 'github__get_pull_request_files'], // an abbreviation
    ['shut down the browser', 'playwright__browser_close'], // a synonym
    ['go to https://example.com in the browser', 'playwright__browser_navigate'], // a URL
  ])('finds the tool in the top five for "%s"', (query, tool) => {
    expect(top(index, query)).toContain(tool);
  });

  it('scores best first, within the limit', () => {
    const hits = index.search('search the web', { limit: 3 });
    expect(hits).toHaveLength(3);
    expect(hits.map((hit) => hit.score)).toEqual([...hits.map((hit) => hit.score)].sort((a, b) => b - a));
  });

  it('finds nothing for an empty, blank or stop-word-only query, or one that is not a string', () => {
    expect(index.search('')).toEqual([]);
    expect(index.search('   \n\t')).toEqual([]);
    expect(index.search('what is the')).toEqual([]);
    expect(index.search(42 as unknown as string)).toEqual([]);
  });

  it('searches a huge query by its beginning', () => {
    const query = `post a message to slack ${'lorem ipsum '.repeat(100_000)} ${'screenshot '.repeat(10)}`;
    const hits = top(index, query);
    expect(hits[0]).toBe('slack__slack_post_message');
    // The words past the bound count for nothing.
    expect(top(index, `post a message to slack ${'x'.repeat(MAX_QUERY_CHARS)} screenshot`)).not.toContain(
      'devtools__take_screenshot',
    );
  });

  it('bounds the limit', () => {
    expect(index.search('page', { limit: 0 })).toHaveLength(10);
    expect(index.search('page', { limit: 1e9 }).length).toBeLessThanOrEqual(100);
  });
});

describe('ToolIndex.update', () => {
  const tool = (name: string, description: string): SearchableTool => ({ name, description, inputSchema: {} });

  it('follows a new list: tools added, changed and removed', () => {
    const index = new ToolIndex([tool('a__forecast', 'Weather forecast'), tool('a__quote', 'Stock quote')]);
    expect(top(index, 'weather')).toEqual(['a__forecast']);

    index.update([tool('a__forecast', 'Tide tables'), tool('b__convert', 'Currency converter')]);
    expect(index.size).toBe(2);
    expect(top(index, 'weather')).toEqual([]);
    expect(top(index, 'stock')).toEqual([]);
    expect(top(index, 'tide')).toEqual(['a__forecast']);
    expect(top(index, 'currency')).toEqual(['b__convert']);
  });

  it("indexes parameters: names, descriptions, nested ones and an option's values", () => {
    const index = new ToolIndex([
      tool('m__other', 'Something else'),
      {
        name: 'm__route',
        inputSchema: {
          type: 'object',
          properties: {
            mode: { type: 'string', enum: ['driving', 'cycling'] },
            stops: { type: 'array', items: { type: 'object', properties: { harbour: { description: 'A port' } } } },
          },
        },
      },
    ]);
    for (const query of ['cycle', 'harbour', 'port', 'stops']) expect(top(index, query)).toEqual(['m__route']);
  });

  it('in a large catalogue, still searches a word every tool has when it is the whole query', () => {
    const letters = (i: number) => [...i.toString(26)].map((c) => String.fromCharCode(97 + parseInt(c, 26))).join('');
    const tools = Array.from({ length: 1200 }, (_, i) => tool(`g__t${letters(i)}`, `Gadget z${letters(i)}`));
    const index = new ToolIndex(tools);
    expect(top(index, 'gadget zbc')[0]).toBe('g__tbc');
    expect(top(index, 'gadget')).toHaveLength(5);
  });

  it('indexes a tool with no description or schema, and a schema that is not an object', () => {
    const index = new ToolIndex([{ name: 'x__ping' }, { name: 'x__odd', inputSchema: 'nonsense' }]);
    expect(top(index, 'ping')).toEqual(['x__ping']);
    expect(top(index, 'odd')).toEqual(['x__odd']);
  });
});
