/** A response whose end is watched: read to the end, cancelled, or without a body. */
import { describe, expect, it, vi } from 'vitest';
import { whenBodyEnds } from './body-end.ts';

const streaming = () => {
  let push!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (controller) => void (push = controller) });
  return {
    response: new Response(body, { status: 201, headers: { 'content-type': 'text/event-stream', 'x-kept': 'yes' } }),
    push,
  };
};

describe('whenBodyEnds', () => {
  it('calls back once the body has been read to its end, keeping status, headers and bytes', async () => {
    const done = vi.fn();
    const { response, push } = streaming();
    const watched = whenBodyEnds(response, done);
    expect(watched.status).toBe(201);
    expect(watched.headers.get('x-kept')).toBe('yes');
    push.enqueue(new TextEncoder().encode('data: 1\n\n'));
    const text = watched.text();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(done).not.toHaveBeenCalled();
    push.close();
    expect(await text).toBe('data: 1\n\n');
    expect(done).toHaveBeenCalledOnce();
    expect(done.mock.calls[0]![0]).toBeUndefined();
  });

  it('calls back when the reader cancels (the client went away)', async () => {
    const done = vi.fn();
    const watched = whenBodyEnds(streaming().response, done);
    await watched.body!.cancel();
    expect(done).toHaveBeenCalledOnce();
  });

  it('calls back with the error when the body fails', async () => {
    const done = vi.fn();
    const { response, push } = streaming();
    const watched = whenBodyEnds(response, done);
    push.error(new Error('broken'));
    await expect(watched.text()).rejects.toThrow('broken');
    expect(done).toHaveBeenCalledWith(expect.objectContaining({ message: 'broken' }));
  });

  it('calls back at once for a response without a body', () => {
    const done = vi.fn();
    const response = new Response(null, { status: 202 });
    expect(whenBodyEnds(response, done)).toBe(response);
    expect(done).toHaveBeenCalledOnce();
  });
});
