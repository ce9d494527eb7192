/**
 * The benchmark's child processes: started in their own process group (so that whatever they start
 * in turn is stopped with them), their output drained so that a full pipe never blocks them, and
 * their memory read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** `node` arguments that run a TypeScript file in a single process (the tsx CLI would add a parent). */
export const typeScriptArgs = (file: string, ...args: string[]) => ['--import', import.meta.resolve('tsx'), join(root, file), ...args];

const running = new Set<ChildProcess>();
const stopping = new WeakSet<ChildProcess>();
const killGroup = (child: ChildProcess, signal: NodeJS.Signals) => {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
};
/** This run's temp folder (configs, homes), removed when it ends. */
export const scratch = mkdtempSync(join(tmpdir(), 'mcp-gateway-bench-'));
process.on('exit', () => {
  running.forEach((child) => killGroup(child, 'SIGKILL'));
  rmSync(scratch, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

export interface Started {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The match of `ready` in the output, if one was asked for. */
  readonly match: RegExpExecArray | undefined;
  /** performance.now() just before the spawn. */
  readonly spawnedAt: number;
  /** The last few KB of output, for error messages. */
  tail(): string;
  /**
   * performance.now() when the output first matched `pattern`. Output from before the call counts
   * when the call comes in the same turn as the start (after it, output is only scanned for
   * patterns being waited for: a gateway's access log is not kept through a whole run).
   */
  seen(pattern: RegExp): Promise<number>;
}

export interface StartOptions {
  readonly label: string;
  /** Resolve once stdout or stderr matches this; at once without it. */
  readonly ready?: RegExp;
  readonly env?: NodeJS.ProcessEnv;
}

const startTimeoutMs = 60_000;

export function start(command: string, args: readonly string[], options: StartOptions): Promise<Started> {
  const spawnedAt = performance.now();
  const child = spawn(command, args, { cwd: root, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let previous: Buffer = Buffer.alloc(0);
  let last: Buffer = Buffer.alloc(0);
  const tail = () => Buffer.concat([previous, last]).toString().slice(-4096);
  let scanned = '';
  let started = false;
  const watchers = new Set<{ pattern: RegExp; resolve(at: number): void }>();
  const seen = (pattern: RegExp) =>
    new Promise<number>((resolve, reject) => {
      if (pattern.test(scanned)) return resolve(performance.now());
      const watcher = { pattern, resolve };
      watchers.add(watcher);
      child.once('close', () => watchers.delete(watcher) && reject(new Error(`${options.label} exited before printing ${pattern}; its last output:\n${tail()}`)));
    });
  return new Promise<Started>((resolve, reject) => {
    const succeed = (match?: RegExpExecArray) => {
      started = true;
      clearTimeout(timer);
      resolve({ child, pid: child.pid!, match, spawnedAt, tail, seen });
    };
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop(child).then(() => reject(new Error(`${options.label} ${why}; its last output:\n${tail()}`)));
    };
    const timer = setTimeout(() => fail(`did not start within ${startTimeoutMs / 1000} s`), startTimeoutMs);
    const drain = (chunk: Buffer) => {
      previous = last;
      last = chunk;
      if (started && watchers.size === 0) return;
      scanned = (scanned + chunk.toString()).slice(-65536);
      for (const watcher of watchers) {
        if (watcher.pattern.test(scanned)) watchers.delete(watcher), watcher.resolve(performance.now());
      }
      if (started || !options.ready) return;
      const match = options.ready.exec(scanned);
      if (match) succeed(match);
    };
    child.stdout!.on('data', drain);
    child.stderr!.on('data', drain);
    // 'close' rather than 'exit': by then its last words are in the tail.
    child.once('close', (code, signal) => {
      if (!started) fail(`exited (${signal ?? code})`);
      else if (!stopping.has(child)) process.stderr.write(`${options.label} exited (${signal ?? code}); its last output:\n${tail()}\n`);
    });
    if (!options.ready) succeed();
  });
}

/** SIGTERM to the process group, SIGKILL if it is still there 5 s later; SIGKILL to what is left of it. */
export async function stop(child: ChildProcess): Promise<void> {
  stopping.add(child);
  if (child.exitCode !== null || child.signalCode !== null) return killGroup(child, 'SIGKILL');
  const exited = once(child, 'exit');
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  // The group may outlive its leader (a grandchild that ignores SIGTERM).
  killGroup(child, 'SIGKILL');
}

/** Resident set size in KiB. */
export const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);

/** The highest RSS seen, sampled every 100 ms until `stop()`. */
export function watchRss(pid: number): { stop(): number } {
  let peak = rssKb(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssKb(pid));
    } catch {
      // the process is gone; its last sample stands
    }
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/** A loopback port that was free a moment ago, for servers that cannot be told to pick one. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface EchoServer {
  readonly started: Started;
  /** The URL of `path`: every path is the same server, with its own sessions. */
  url(path?: string): string;
  /** From spawn to listening. */
  readonly startMs: number;
}

/** scripts/bench/echo-server.ts over HTTP, with `tools` dummy tools besides echo and add. */
export async function startEchoServer(tools = 0): Promise<EchoServer> {
  const started = await start(process.execPath, typeScriptArgs('scripts/bench/echo-server.ts', '--tools', String(tools)), {
    label: 'echo-server',
    ready: /\{"port":(\d+)\}/,
  });
  const startMs = performance.now() - started.spawnedAt;
  return { started, startMs, url: (path = '/mcp') => `http://127.0.0.1:${started.match![1]}${path}` };
}

/** The arguments of scripts/bench/echo-server.ts over stdio. */
export const stdioEchoArgs = () => typeScriptArgs('scripts/bench/echo-server.ts', '--stdio');
