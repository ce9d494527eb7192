/**
 * The live index over a catalogue that changes: a search answers from the catalogue it started
 * with (or a newer one), and is answered even while the catalogue keeps changing.
 */
import type { ToolItem } from 'mcp-gateway';
import { expect, it } from 'vitest';
import { LiveIndex } from './live-index.ts';

const item = (name: string, description: string): ToolItem => ({
  server: 'alpha',
  name,
  value: { name, description, inputSchema: { type: 'object' } },
});

/** Enough tools that indexing them takes more than one slice. */
const many = (word: string) => Array.from({ length: 3000 }, (_, i) => item(`t${i}`, `${word} number ${i} of a kind`));

it('answers a search from the catalogue as it is when the search starts', async () => {
  let tools: readonly ToolItem[] = [item('old', 'transcribe audio')];
  const index = new LiveIndex(
    () => tools,
    () => true,
  );
  const seen = () => new Map(tools.map((t) => [t.value.name, t]));
  expect((await index.search('transcribe', 10, seen())).map((h) => h.name)).toEqual(['old']);
  tools = [item('new', 'transcribe audio'), ...many('filler')];
  expect((await index.search('transcribe', 10, seen())).map((h) => h.name)).toEqual(['new']);
  // A caller that sees part of the catalogue finds in that part only.
  expect(await index.search('transcribe', 10, new Map([['t1', true]]))).toEqual([]);
});

it('answers a search while the catalogue keeps changing under it', async () => {
  let generation = 0;
  const index = new LiveIndex(
    () => many(`word${generation}`),
    () => true,
  );
  // Every turn, a newer catalogue is seen, as when upstreams keep changing during a long update.
  const churn = setInterval(() => {
    generation++;
    void index.current();
  }, 1);
  try {
    const hits = await Promise.race([
      index.search(
        'number',
        3,
        new Map([
          ['t1', 1],
          ['t2', 2],
          ['t3', 3],
          ['t4', 4],
        ]),
      ),
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000)),
    ]);
    expect(hits).not.toBe('timeout');
    expect(hits).toHaveLength(3);
  } finally {
    clearInterval(churn);
  }
});
