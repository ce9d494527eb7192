/**
 * A real redis-server (Debian's package; .ci/run installs it) on a loopback port, with nothing
 * saved to disk: the shared store of the Redis tests and of the replica benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { stopChild } from './stop-child.ts';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export async function startRedisServer(port: number): Promise<RedisServer> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on(
      'line',
      (line) => line.includes('Ready to accept connections') && resolve(),
    );
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGCONT'); // a test may have frozen it (SIGSTOP) to play a hung Redis
    return stopChild(child);
  };
  return { port, url: `redis://127.0.0.1:${port}`, child, stop };
}
