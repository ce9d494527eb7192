import { describe, expect, it } from 'vitest';
import type { GatewayEvent } from 'mcp-gateway';
import { countLater } from './from-events.ts';

const session = (sessionId: string): GatewayEvent => ({ type: 'session', action: 'open', sessionId, subject: undefined });
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('counting events after their turn', () => {
  it('counts nothing during the turn, everything in order just after it', async () => {
    const counted: string[] = [];
    const counting = countLater((event) => void counted.push((event as { sessionId: string }).sessionId));
    counting.onEvent(session('a'));
    counting.onEvent(session('b'));
    expect(counted).toEqual([]);
    await nextTurn();
    expect(counted).toEqual(['a', 'b']);
  });

  it('counts what is queued at once when flushed (a scrape), and nothing twice', async () => {
    const counted: string[] = [];
    const counting = countLater((event) => void counted.push((event as { sessionId: string }).sessionId));
    counting.onEvent(session('a'));
    counting.flush();
    expect(counted).toEqual(['a']);
    await nextTurn();
    counting.onEvent(session('b'));
    await nextTurn();
    expect(counted).toEqual(['a', 'b']);
  });
});
