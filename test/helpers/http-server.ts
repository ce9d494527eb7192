/** Tiny real HTTP servers for transport tests: each request is recorded, `handle` answers it. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** When it arrived (`Date.now()`). */
  readonly at: number;
}

/** A server on a free loopback port, closed by `close` or else `cleanup`; every request is recorded in `seen`. */
export async function recordingServer(
  handle: (req: Seen, res: ServerResponse) => unknown,
  cleanup: (step: () => unknown) => void,
): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = {
      method: req.method!,
      url: req.url!,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      at: Date.now(),
    };
    seen.push(request);
    await handle(request, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
  cleanup(() => server.listening && close());
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen, close };
}
