/** Which calls are cached: the first rule whose pattern matches decides; annotations gate by default. */
import { describe, expect, it } from 'vitest';
import { compileRules, deadPatterns, ttlFor } from './rules.ts';

const readOnly = { annotations: { readOnlyHint: true } };
const idempotent = { annotations: { idempotentHint: true } };
const plain = {};
const notReadOnly = { annotations: { readOnlyHint: false, idempotentHint: false } };

describe('ttlFor', () => {
  const rules = compileRules([
    { tools: 'weather:forecast', ttl: 1000, annotated_only: false },
    { tools: ['weather:*', 'maps:get_*'], ttl: 2000, annotated_only: true },
    { tools: '*:*', ttl: 3000, annotated_only: false },
  ]);

  it('takes the first matching rule, in the order written', () => {
    expect(ttlFor(rules, 'weather', 'forecast', plain)).toBe(1000);
    expect(ttlFor(rules, 'weather', 'today', readOnly)).toBe(2000);
    expect(ttlFor(rules, 'maps', 'get_route', idempotent)).toBe(2000);
    expect(ttlFor(rules, 'other', 'thing', plain)).toBe(3000);
  });

  it('with annotated_only, caches read-only or idempotent tools only, and never falls through to a later rule', () => {
    expect(ttlFor(rules, 'weather', 'today', plain)).toBeUndefined();
    expect(ttlFor(rules, 'weather', 'today', notReadOnly)).toBeUndefined();
    expect(ttlFor(rules, 'maps', 'get_route', plain)).toBeUndefined();
  });

  it('caches nothing that no rule matches; globs are anchored and case-sensitive', () => {
    const narrow = compileRules([{ tools: 'weather:get_*', ttl: 1000, annotated_only: false }]);
    expect(ttlFor(narrow, 'weather', 'set_x', readOnly)).toBeUndefined();
    expect(ttlFor(narrow, 'Weather', 'get_x', readOnly)).toBeUndefined();
    expect(ttlFor(narrow, 'weather', 'xget_x', readOnly)).toBeUndefined();
    expect(ttlFor(narrow, 'weather2', 'get_x', readOnly)).toBeUndefined();
    expect(ttlFor(narrow, 'weather', 'get_', readOnly)).toBe(1000);
  });
});

describe('deadPatterns', () => {
  it('names the patterns whose server side matches no configured server', () => {
    const rules = compileRules([
      { tools: ['weather:*', 'wether:*'], ttl: 1, annotated_only: true },
      { tools: 'w*:x', ttl: 1, annotated_only: true },
      { tools: 'maps:*', ttl: 1, annotated_only: true },
    ]);
    expect(deadPatterns(rules, ['weather', 'alpha'])).toEqual(['wether:*', 'maps:*']);
  });
});
