/** A real redis-server on a free loopback port, for the tests (Debian's package; .ci/run installs it). */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { freePort, stopProcess } from './processes.ts';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export async function startRedis(port?: number): Promise<RedisServer> {
  const chosen = port ?? (await freePort());
  const child = spawn('redis-server', ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => line.includes('Ready to accept connections') && resolve());
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
    const stop = () => {
    child.kill('SIGCONT'); // a test may have frozen it (SIGSTOP) to play a hung Redis
    return stopProcess(child);
  };
  return { port: chosen, url: `redis://127.0.0.1:${chosen}`, child, stop };
}
