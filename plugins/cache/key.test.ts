/** The key: per caller, server, tool and canonical arguments. */
import { describe, expect, it } from 'vitest';
import { cacheKey } from './key.ts';

const user = (subject: string) => ({ subject, scopes: [], claims: {} });
const call = {
  principal: user('ada'),
  server: 'weather',
  tool: 'forecast',
  arguments: { city: 'Paris', days: { from: 1, to: 3 } },
};

describe('cacheKey', () => {
  it('ignores the order of argument keys, at every depth', () => {
    expect(cacheKey({ ...call, arguments: { days: { to: 3, from: 1 }, city: 'Paris' } })).toBe(cacheKey(call));
  });

  it('differs by caller, server, tool and arguments', () => {
    const keys = new Set([
      cacheKey(call),
      cacheKey({ ...call, principal: user('bob') }),
      cacheKey({ ...call, principal: undefined }),
      cacheKey({ ...call, principal: user('anonymous') }), // not the anonymous caller
      cacheKey({ ...call, server: 'weather2' }),
      cacheKey({ ...call, tool: 'forecast2' }),
      cacheKey({ ...call, arguments: { city: 'Lyon', days: { from: 1, to: 3 } } }),
      cacheKey({ ...call, arguments: undefined }),
    ]);
    expect(keys.size).toBe(8);
  });

  it('never lets a value cross into another part (no ambiguous concatenation)', () => {
    expect(cacheKey({ ...call, server: 'a:b', tool: 'c' })).not.toBe(cacheKey({ ...call, server: 'a', tool: 'b:c' }));
  });
});
