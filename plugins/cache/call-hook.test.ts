/**
 * The hook alone, over the memory store and a fake upstream (`next`): what is kept, what never
 * is, and a failing store that turns every call into a miss without failing it.
 */
import { describe, expect, it, vi } from 'vitest';
import type { CallToolResult, ToolCallContext } from 'mcp-gateway';
import { cacheCalls } from './call-hook.ts';
import { MemoryStore } from './memory-store.ts';
import { compileRules } from './rules.ts';
import type { ResultStore } from './store.ts';

const rules = compileRules([{ tools: 'weather:*', ttl: 60_000, annotated_only: true }]);

function setup(options: { store?: ResultStore; maxResultSize?: number } = {}) {
  const counts = { hit: 0, miss: 0, storeError: 0 };
  const storeError = vi.fn(() => void counts.storeError++);
  const hook = cacheCalls({
    rules,
    store: options.store ?? new MemoryStore(100),
    maxResultSize: options.maxResultSize ?? 1024,
    metrics: { hit: () => void counts.hit++, miss: () => void counts.miss++, storeError: () => {} },
    storeError,
  });
  return { hook, counts, storeError };
}

const call = (tool = 'forecast', args: Record<string, unknown> = { city: 'Paris' }, readOnlyHint = true) =>
  ({
    server: 'weather',
    tool,
    name: `weather__${tool}`,
    arguments: args,
    principal: { subject: 'ada', scopes: [], claims: {} },
    definition: { name: tool, inputSchema: { type: 'object' }, annotations: { readOnlyHint } },
    params: { name: `weather__${tool}`, arguments: args },
    logger: { debug: () => {} },
  }) as unknown as ToolCallContext;

/** A fake upstream answering `answer(n)` on its nth call. */
function upstream(answer: (n: number) => CallToolResult) {
  let calls = 0;
  const next = () => Promise.resolve(answer(++calls));
  return { next, calls: () => calls };
}

const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });

describe('cacheCalls', () => {
  it('answers the second identical call from the cache, exactly as stored, and a later change to it is not kept', async () => {
    const { hook, counts } = setup();
    const rich = {
      content: [{ type: 'text', text: 'x', _meta: { b: 1 } }],
      structuredContent: { sum: 3 },
      _meta: { m: true },
      extra: 'kept',
    } as CallToolResult;
    const up = upstream(() => structuredClone(rich));
    const first = await hook(call(), up.next);
    (first.content[0] as { text: string }).text = 'changed by a later hook';
    expect(await hook(call(), up.next)).toEqual(rich);
    expect(up.calls()).toBe(1);
    expect(counts).toMatchObject({ hit: 1, miss: 1 });
  });

  it('never caches a tool error, a thrown error, a result over max_result_size, or an unannotated tool', async () => {
    const { hook, counts } = setup({ maxResultSize: 100 });
    const failing = upstream(() => ({ ...text('no'), isError: true }));
    await hook(call('a'), failing.next);
    await hook(call('a'), failing.next);
    expect(failing.calls()).toBe(2);

    let thrown = 0;
    const throwing = () => Promise.reject(new Error(`upstream down ${++thrown}`));
    await expect(hook(call('b'), throwing)).rejects.toThrow('upstream down 1');
    await expect(hook(call('b'), throwing)).rejects.toThrow('upstream down 2');

    const big = upstream(() => text('x'.repeat(100)));
    await hook(call('c'), big.next);
    await hook(call('c'), big.next);
    expect(big.calls()).toBe(2);

    const plain = upstream(() => text('ok'));
    await hook(call('d', {}, false), plain.next);
    await hook(call('d', {}, false), plain.next);
    expect(plain.calls()).toBe(2);
    expect(counts.hit).toBe(0);
    expect(counts.miss).toBe(6); // the unannotated tool is not even looked up
  });

  it('never keeps a request for input, and never answers the retry that brings the input from the cache', async () => {
    const { hook, counts } = setup();
    const asks = upstream((n) =>
      n === 1 ? ({ resultType: 'input_required', requestState: 's' } as unknown as CallToolResult) : text('done'),
    );
    expect(await hook(call(), asks.next)).toMatchObject({ resultType: 'input_required' });
    const retry = { ...call(), params: { name: 'weather__forecast', requestState: 's' } } as ToolCallContext;
    expect(await hook(retry, asks.next)).toEqual(text('done'));
    expect(await hook(retry, asks.next)).toEqual(text('done'));
    expect(asks.calls()).toBe(3);
    expect(counts.hit).toBe(0);
  });

  it('keeps results at exactly max_result_size', async () => {
    const result = text('y'.repeat(10));
    const { hook } = setup({ maxResultSize: JSON.stringify(result).length });
    const up = upstream(() => result);
    await hook(call(), up.next);
    await hook(call(), up.next);
    expect(up.calls()).toBe(1);
  });

  it('treats a store that fails as a miss: the call goes upstream and succeeds', async () => {
    const broken: ResultStore = {
      lookup: () => Promise.reject(new Error('ECONNREFUSED')),
      forget: () => Promise.reject(new Error('ECONNREFUSED')),
      close: () => Promise.resolve(),
    };
    const { hook, counts, storeError } = setup({ store: broken });
    const up = upstream((n) => text(`answer ${n}`));
    expect(await hook(call(), up.next)).toEqual(text('answer 1'));
    expect(await hook(call(), up.next)).toEqual(text('answer 2'));
    expect(counts).toMatchObject({ hit: 0, miss: 2, storeError: 2 });
    expect(storeError).toHaveBeenCalledWith('lookup', expect.any(Error));
  });

  it('treats a failing save as an error counted, and still answers', async () => {
    const failingSave: ResultStore = {
      lookup: () => Promise.resolve({ value: undefined, save: () => Promise.reject(new Error('OOM')) }),
      forget: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const { hook, storeError } = setup({ store: failingSave });
    expect(await hook(call(), upstream(() => text('fine')).next)).toEqual(text('fine'));
    expect(storeError).toHaveBeenCalledWith('save', expect.any(Error));
  });
});
