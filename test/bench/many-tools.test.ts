/**
 * The tool-search benchmark's catalogue (scripts/bench/many-tools.ts): the benchmark searches for
 * tools it computes on its own side, so the fixture must give the same tools every time, unique
 * names, and codenames that only the marked tools carry.
 */
import { describe, expect, it } from 'vitest';
import { codename, codenames, codenameTool, corpus, serverTools } from '../../scripts/bench/many-tools.ts';

describe('many-tools catalogue', () => {
  it('gives the same tools for the same server, size and generation', () => {
    expect(serverTools(7, 200, 1)).toEqual(serverTools(7, 200, 1));
    expect(serverTools(7, 200, 1)).not.toEqual(serverTools(8, 200, 1));
  });

  it('names every tool of a server uniquely, in every generation, and renames all of them in the next', () => {
    for (const server of [1, 2, 20, 50]) {
      for (const generation of [0, 1, 2]) {
        const names = serverTools(server, 200, generation).map((tool) => tool.name);
        expect(new Set(names).size).toBe(200);
        const next = new Set(serverTools(server, 200, generation + 1).map((tool) => tool.name));
        expect(names.filter((name) => next.has(name))).toEqual([]);
      }
    }
  });

  it('puts the codename in one tool per server, and the corpus has none of the codenames', () => {
    const text = JSON.stringify(corpus()).toLowerCase();
    for (const word of codenames) expect(text).not.toContain(word);
    const tools = serverTools(3, 200, 4);
    const marked = tools.filter((tool) => tool.description.toLowerCase().includes(codename(4, 3)));
    expect(marked).toEqual([tools[codenameTool(3, 200, 4)]]);
    for (let server = 1; server <= 50; server++) expect(codename(5, server)).not.toBe(codename(4, server));
  });
});
