/** The memory store: TTL per entry, LRU bound, forgetting one server, and in-flight saves after a forget. */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory-store.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const value = async (store: MemoryStore, server: string, hash: string) => (await store.lookup(server, hash)).value;

describe('MemoryStore', () => {
  it('keeps a value for its TTL only', async () => {
    const store = new MemoryStore(10);
    await (await store.lookup('s', 'k1')).save('"short"', 100);
    await (await store.lookup('s', 'k2')).save('"long"', 60_000);
    expect(await value(store, 's', 'k1')).toBe('"short"');
    await sleep(150);
    expect(await value(store, 's', 'k1')).toBeUndefined();
    expect(await value(store, 's', 'k2')).toBe('"long"');
  });

  it('holds at most max_entries, dropping the least recently used', async () => {
    const store = new MemoryStore(2);
    await (await store.lookup('s', 'a')).save('1', 60_000);
    await (await store.lookup('s', 'b')).save('2', 60_000);
    expect(await value(store, 's', 'a')).toBe('1'); // a is now the most recent
    await (await store.lookup('s', 'c')).save('3', 60_000);
    expect(store.size).toBe(2);
    expect(await value(store, 's', 'b')).toBeUndefined();
    expect(await value(store, 's', 'a')).toBe('1');
  });

  it('forgets one server and no other', async () => {
    const store = new MemoryStore(10);
    await (await store.lookup('alpha', 'a1')).save('1', 60_000);
    await (await store.lookup('alpha', 'a2')).save('2', 60_000);
    await (await store.lookup('beta', 'b1')).save('3', 60_000);
    await store.forget('alpha');
    expect(await value(store, 'alpha', 'a1')).toBeUndefined();
    expect(await value(store, 'alpha', 'a2')).toBeUndefined();
    expect(await value(store, 'beta', 'b1')).toBe('3');
    expect(store.size).toBe(1);
    await (await store.lookup('alpha', 'a1')).save('4', 60_000);
    expect(await value(store, 'alpha', 'a1')).toBe('4');
  });

  it('drops the save of a call looked up before its server was forgotten', async () => {
    const store = new MemoryStore(10);
    const inFlight = await store.lookup('alpha', 'a1');
    await store.forget('alpha');
    await inFlight.save('"from before the reconnection"', 60_000);
    expect(await value(store, 'alpha', 'a1')).toBeUndefined();
  });
});
