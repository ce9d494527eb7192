/** Permission patterns: glob matching, and which of several matching patterns wins. */
import { describe, expect, it } from 'vitest';
import { PatternTable } from './patterns.ts';

/** The winning pattern for `server:rest` in a table of patterns (value = the pattern itself). */
function winner(patterns: readonly string[], subject: string): string | undefined {
  const colon = subject.indexOf(':');
  const table = new PatternTable(patterns.map((p) => [p, p] as const));
  return table.match({ server: subject.slice(0, colon), rest: subject.slice(colon + 1) })?.value;
}

describe('patterns', () => {
  it('matches the server side against the server name only', () => {
    // "*:echo" is the tool echo of any server, not any subject that ends in ":echo".
    expect(winner(['*:echo'], 'docs:resource/x:echo')).toBeUndefined();
    expect(winner(['*:echo'], 'docs:echo')).toBe('*:echo');
    expect(winner(['do*:resource/*'], 'docs:resource/x:echo')).toBe('do*:resource/*');
  });
});

describe('the most specific pattern wins', () => {
  // Each row: the patterns (in the order a YAML map might give them), a subject, the winner.
  const rules: [string, string[], string, string | undefined][] = [
    // 1. a server side without wildcard beats one with, whatever the tool side says
    ['literal server beats wildcard server', ['*:delete_user', 'n8n:*'], 'n8n:delete_user', 'n8n:*'],
    ['literal server beats a longer wildcard server', ['n8n-*:echo', 'n8n-prod:*'], 'n8n-prod:echo', 'n8n-prod:*'],
    // 2. a longer literal part of the server side
    ['longer server literal', ['n*:echo', 'n8*:*'], 'n8n:echo', 'n8*:*'],
    ['longer server literal, suffix', ['*:echo', '*-prod:*'], 'n8n-prod:echo', '*-prod:*'],
    // 3. a tool side without wildcard beats one with
    ['literal tool beats wildcard tool', ['n8n:*', 'n8n:echo'], 'n8n:echo', 'n8n:echo'],
    [
      'literal tool beats a longer wildcard tool',
      ['n8n:delete_user*', 'n8n:delete_user'],
      'n8n:delete_user',
      'n8n:delete_user',
    ],
    // 4. a longer literal part of the tool side
    ['longer tool literal', ['n8n:*', 'n8n:delete_*'], 'n8n:delete_user', 'n8n:delete_*'],
    ['longer tool literal, either end', ['n8n:del*', 'n8n:*_user'], 'n8n:delete_user', 'n8n:*_user'],
    ['prompt/ beats *', ['n8n:*', 'n8n:prompt/*'], 'n8n:prompt/greet', 'n8n:prompt/*'],
    // 5. equal on all of the above: the pattern text, in code-unit order
    ['ties broken by text', ['n8n:delet*', 'n8n:*_user'], 'n8n:delete_user', 'n8n:*_user'],
    ['ties broken by text, tool side', ['*:de*', '*:*te'], 'n8n:delete', '*:*te'],
    ['ties on the server side', ['a*:echo', '*b:echo'], 'ab:echo', '*b:echo'],
    // no match at all
    ['no pattern matches', ['n8n:*', '*:echo'], 'github:search', undefined],
  ];

  it.each(rules)('%s', (_, patterns, subject, expected) => {
    expect(winner(patterns, subject)).toBe(expected);
    // Never by map order: every rotation of the table gives the same winner.
    for (let i = 1; i < patterns.length; i++) {
      expect(winner([...patterns.slice(i), ...patterns.slice(0, i)], subject)).toBe(expected);
    }
  });

  it('applies the rules in their order over a larger table', () => {
    const table = [
      '*:*',
      '*:echo',
      'n8n:*',
      'n8n:e*',
      'n8n:echo',
      'n*n:echo',
      '*8n:*',
      'github:*',
      '*:resource/*',
      'docs:resource/https://*',
    ];
    const expected: [string, string | undefined][] = [
      ['n8n:echo', 'n8n:echo'],
      ['n8n:exec', 'n8n:e*'],
      ['n8n:search', 'n8n:*'],
      ['n8n:resource/file:///x', 'n8n:*'],
      ['x8n:echo', '*8n:*'],
      ['nxn:echo', 'n*n:echo'],
      ['github:echo', 'github:*'],
      ['docs:resource/https://a/b', 'docs:resource/https://*'],
      ['docs:resource/file:///a', '*:resource/*'],
      ['other:echo', '*:echo'],
      ['other:search', '*:*'],
    ];
    for (const [subject, pattern] of expected) expect([subject, winner(table, subject)]).toEqual([subject, pattern]);
    for (const [subject, pattern] of expected) expect(winner([...table].reverse(), subject)).toBe(pattern);
  });

  it('sorts the whole table by specificity', () => {
    const table = new PatternTable(['*:*', 'n8n:*', '*:echo', 'n8n:echo', 'n8n:e*'].map((p) => [p, p] as const));
    expect(table.patterns.map((p) => p.source)).toEqual(['n8n:echo', 'n8n:e*', 'n8n:*', '*:echo', '*:*']);
  });
});
