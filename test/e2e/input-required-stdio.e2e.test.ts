/**
 * Multi-round requests of 2026-07-28 clients to stdio servers (the 2025 era). With `shared`
 * upstream sessions (stdio's default, where a session is a child process) the server is asked
 * nothing on any client's behalf, as for 2025 clients, and no process is started; with
 * `per-client`, each call that may be asked runs on a session (a process) of its own, so the
 * server's elicitation, which stdio cannot relate to a call, reaches that call as an
 * input_required round, however many are held at once.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { messagesOf } from '../helpers/in-process.ts';
import { modernRequest } from '../helpers/modern-request.ts';
import { startGateway, type RunningGateway } from '../helpers/processes.ts';
import { stdioFixture } from '../helpers/servers.ts';

const run = promisify(execFile);
let gateway: RunningGateway;

beforeAll(async () => {
  gateway = await startGateway({
    config: { proxy: { servers: [stdioFixture('kid'), stdioFixture('own', { upstream_sessions: 'per-client' })] } },
  });
});
afterAll(() => gateway?.stop());

const target = () => ({ request: (path: string, init?: RequestInit) => fetch(new URL(path, gateway.mcpUrl), init) });

async function call(name: string, args: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const params = { name, arguments: args, ...extra };
  const response = await modernRequest(target(), 'tools/call', params, {}, { elicitation: { form: {} } });
  const [message] = await messagesOf(response);
  return (message as { result: Record<string, unknown> }).result;
}

/** How many child processes the gateway runs (the stdio server's sessions). */
async function children(): Promise<number> {
  const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(gateway.child.pid)]);
  return stdout.trim().split('\n').filter(Boolean).length;
}

it('asks a server of shared sessions nothing for the client, and starts no process for it', async () => {
  const before = await children();
  const result = await call('kid__elicit', { message: 'Your name?' });
  expect(result).toMatchObject({ resultType: 'complete', isError: true });
  expect(await children()).toBe(before);
});

it('asks the client in rounds for a server of per-client sessions, one process per call held', async () => {
  const before = await children();
  const held = await call('own__elicit', { message: 'Your name?' });
  const other = await call('own__elicit', { message: 'And yours?' });
  expect([held.resultType, other.resultType]).toEqual(['input_required', 'input_required']);
  expect(await children()).toBe(before + 2);
  for (const [round, name] of [
    [held, 'Ada'],
    [other, 'Grace'],
  ] as const) {
    const [key, request] = Object.entries(round.inputRequests as Record<string, { method: string }>)[0]!;
    expect(request.method).toBe('elicitation/create');
    const done = await call(
      'own__elicit',
      { message: 'Your name?' },
      { inputResponses: { [key]: { action: 'accept', content: { name } } }, requestState: round.requestState },
    );
    expect(JSON.parse((done.content as { text: string }[])[0]!.text)).toEqual({ action: 'accept', content: { name } });
  }
});
