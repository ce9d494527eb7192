import { describe, expect, it } from 'vitest';
import type { JSONRPCMessage } from 'mcp-gateway';
import { ChildProcessStream, type ChildEvents } from './child-process.ts';

/** A child running `script` under this Node, with what it sends collected. */
async function child(script: string, options: { env?: Record<string, string>; inheritEnv?: boolean } = {}) {
  const messages: JSONRPCMessage[] = [];
  const invalid: string[] = [];
  let exited: (error: Error) => void;
  const exit = new Promise<Error>((resolve) => (exited = resolve));
  const events: ChildEvents = {
    onMessage: (m) => messages.push(m),
    onInvalid: (line) => invalid.push(line),
    onExit: (error) => exited(error),
  };
  const stream = await ChildProcessStream.start(
    {
      command: process.execPath,
      args: ['-e', script],
      env: options.env ?? {},
      inheritEnv: options.inheritEnv ?? false,
      cwd: process.cwd(),
    },
    events,
  );
  return { stream, messages, invalid, exit };
}

const echoLines = `process.stdin.setEncoding('utf8'); let b = ''; process.stdin.on('data', (c) => { b += c; let i; while ((i = b.indexOf('\\n')) >= 0) { const m = JSON.parse(b.slice(0, i)); b = b.slice(i + 1); process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { echoed: m.params } }) + '\\n'); } });`;

describe('an MCP server as a child process', () => {
  it('writes messages as lines and reads its answers, every field kept', async () => {
    const { stream, messages } = await child(echoLines);
    const params = { text: 'héllo', _meta: { progressToken: 7 }, nested: { unknown: [1, 2] } };
    await stream.write({ jsonrpc: '2.0', id: 1, method: 'tools/call', params } as JSONRPCMessage);
    await expect.poll(() => messages).toEqual([{ jsonrpc: '2.0', id: 1, result: { echoed: params } }]);
    await stream.close();
  });

  it('splits what it reads into lines wherever the chunks break, and skips what is not a JSON-RPC message', async () => {
    // Two messages in one write, one cut across writes, CRLF endings, a log line and a JSON non-message.
    const script = `
      const out = (s) => new Promise((r) => process.stdout.write(s, r));
      (async () => {
        await out('{"jsonrpc":"2.0","method":"a"}\\n{"jsonrpc":"2.0","method":"b"}\\r\\n{"jsonrpc":"2.0",');
        await new Promise((r) => setTimeout(r, 50));
        await out('"method":"c"}\\nstarting up...\\n[1,2]\\n\\n{"jsonrpc":"1.0","method":"d"}\\n');
      })();`;
    const { messages, invalid, exit } = await child(script);
    await exit;
    expect(messages.map((m) => (m as { method: string }).method)).toEqual(['a', 'b', 'c']);
    expect(invalid).toEqual(['starting up...', '[1,2]', '{"jsonrpc":"1.0","method":"d"}']);
  });

  it('gives the child only the safe variables and its own, unless told to inherit everything', async () => {
    process.env.MCP_GATEWAY_TEST_SECRET = 'do-not-leak';
    try {
      const script = `process.stdout.write(JSON.stringify({ jsonrpc: '2.0', method: 'env', params: { secret: process.env.MCP_GATEWAY_TEST_SECRET ?? null, own: process.env.OWN ?? null, path: Boolean(process.env.PATH) } }) + '\\n')`;
      const safe = await child(script, { env: { OWN: 'mine' } });
      await safe.exit;
      expect(safe.messages).toEqual([
        { jsonrpc: '2.0', method: 'env', params: { secret: null, own: 'mine', path: true } },
      ]);
      const all = await child(script, { inheritEnv: true });
      await all.exit;
      expect((all.messages[0] as { params: unknown }).params).toEqual({ secret: 'do-not-leak', own: null, path: true });
    } finally {
      delete process.env.MCP_GATEWAY_TEST_SECRET;
    }
  });

  it('reports its exit once, with the exit code, and refuses writes after it', async () => {
    const { stream, exit } = await child('process.exit(3)');
    expect((await exit).message).toMatch(/exited \(code 3\)/);
    await expect(stream.write({ jsonrpc: '2.0', method: 'x' } as JSONRPCMessage)).rejects.toThrow('exited');
  });

  it('stops a child by closing its stdin, and one that ignores that with SIGTERM', async () => {
    const polite = await child(echoLines);
    await polite.stream.close();
    expect((await polite.exit).message).toMatch(/code 0/);
    const stubborn = await child(
      `process.stdin.resume(); process.stdin.on('end', () => {}); setInterval(() => {}, 1000);`,
    );
    await stubborn.stream.close();
    expect((await stubborn.exit).message).toMatch(/SIGTERM/);
  });

  it('fails to start, with the reason, when the command does not exist', async () => {
    const events: ChildEvents = { onMessage: () => {}, onInvalid: () => {}, onExit: () => {} };
    await expect(
      ChildProcessStream.start(
        { command: 'mcp-gateway-no-such-command', args: [], env: {}, inheritEnv: false, cwd: process.cwd() },
        events,
      ),
    ).rejects.toThrow(/ENOENT/);
  });
});
