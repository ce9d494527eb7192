/** `server:tool` patterns, shared by the policy plugins: globs, the split, the config value. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileGlob, serverToolMatcher, serverToolPatterns, splitServerPattern } from '../../core/lib/patterns.ts';

describe('globs', () => {
  it.each([
    ['echo', 'echo', true],
    ['echo', 'Echo', false],
    ['echo', 'echo2', false],
    ['*', '', true],
    ['*', 'anything/at:all', true],
    ['get_*', 'get_user', true],
    ['get_*', 'get_', true],
    ['get_*', 'set_user', false],
    ['*_user', 'get_user', true],
    ['a*b*c', 'a-x-b-y-c', true],
    ['a*b*c', 'a-x-c-y-b', false],
    ['resource/*', 'resource/file:///etc/hosts', true],
    ['resource/file://*', 'resource/https://x', false],
    ['prompt/*', 'prompt/line\nbreak', true],
  ])('%j matches %j: %s', (glob, value, expected) => {
    expect(compileGlob(glob).test(value)).toBe(expected);
  });

  it('treats every character but * literally (regex and other glob syntax included)', () => {
    for (const [glob, literal, other] of [
      ['a.b', 'a.b', 'axb'],
      ['a?b', 'a?b', 'axb'],
      ['[ab]', '[ab]', 'a'],
      ['a+', 'a+', 'aa'],
      ['(x|y)', '(x|y)', 'x'],
      ['$^\\', '$^\\', ''],
      ['{id}', '{id}', 'i'],
    ]) {
      expect(compileGlob(glob!).test(literal!)).toBe(true);
      expect(compileGlob(`${glob}*`).test(`${literal}tail`)).toBe(true);
      expect(compileGlob(glob!).test(other!)).toBe(false);
    }
  });

  it('splits a pattern at its first ":", refusing an empty side', () => {
    expect(splitServerPattern('n8n:*')).toEqual({ server: 'n8n', rest: '*' });
    expect(splitServerPattern('docs:resource/https://x:8080/y')).toEqual({
      server: 'docs',
      rest: 'resource/https://x:8080/y',
    });
    expect(splitServerPattern('n8n')).toBeUndefined();
    expect(splitServerPattern(':echo')).toBeUndefined();
    expect(splitServerPattern('n8n:')).toBeUndefined();
  });
});

describe('serverToolMatcher', () => {
  it('matches a server and a tool against any of the patterns', () => {
    const matches = serverToolMatcher(['weather:*', '*:get_*']);
    expect(matches('weather', 'forecast')).toBe(true);
    expect(matches('maps', 'get_route')).toBe(true);
    expect(matches('maps', 'route')).toBe(false);
    expect(matches('Weather', 'forecast')).toBe(false);
  });
});

describe('serverToolPatterns', () => {
  const parse = (value: unknown) => z.object({ tools: serverToolPatterns }).safeParse({ tools: value });

  it('takes one pattern or a non-empty list', () => {
    expect(parse('a:b').success).toBe(true);
    expect(parse(['a:b', '*:*']).success).toBe(true);
    expect(parse([]).success).toBe(false);
  });

  it('refuses a pattern without both sides, with the fix', () => {
    const issues = parse(['a:b', 'weather']).error?.issues ?? [];
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      path: ['tools'],
      message: 'pattern "weather" has no ":"; a pattern is "<server>:<tool>" (globs with *)',
      params: {
        fix: 'write "weather:*" for everything of server "weather", or "*:weather" for the tool "weather" of every server',
      },
    });
    expect(parse(':echo').error?.issues[0]).toMatchObject({
      message: 'pattern ":echo" has no server before ":"',
      params: { fix: 'write "*:echo" for every server' },
    });
    expect(parse('n8n:').error?.issues[0]).toMatchObject({
      message: 'pattern "n8n:" has nothing after ":"',
      params: { fix: 'write "n8n:*" for everything of that server' },
    });
  });
});
