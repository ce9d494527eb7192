/**
 * The benchmark's child processes: started in their own process group (so that whatever they start
 * in turn is stopped with them), their output written to a file (read only while something waits
 * for a line), and their memory read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  watch,
  type FSWatcher,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** `node` arguments that run a TypeScript file in a single process (the tsx CLI would add a parent). */
export const typeScriptArgs = (file: string, ...args: string[]) => [
  '--import',
  import.meta.resolve('tsx'),
  join(root, file),
  ...args,
];

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
  for (const child of running) killGroup(child, 'SIGKILL');
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
   * performance.now() when the output first matched `pattern`: at once if the last 64 KB it wrote
   * match already (the file is read only while something waits for a line, so that a gateway's
   * access log is not read through a whole run).
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
  // The output goes to a file, as `npm start > gateway.log` would send it: read from a pipe by this
  // process, which is also the benchmark's client, every log line a server wrote cost the client a
  // wake-up and a read, which charged the gateway's access log to the load and not to the gateway.
  // The file is followed until the server has started and nothing waits for a line.
  const file = join(scratch, `${options.label.replace(/[^\w.-]+/g, '_')}-${++outputs}.log`);
  const fd = openSync(file, 'w');
  const spawnedAt = performance.now();
  const child = spawn(command, args, {
    cwd: root,
    env: options.env ?? process.env,
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  closeSync(fd);
  running.add(child);
  child.once('exit', () => running.delete(child));
  const output = followFile(file);
  let started = false;
  const watchers = new Set<{ pattern: RegExp; resolve(at: number): void }>();
  let ready: ((match: RegExpExecArray) => void) | undefined;
  const onGrowth = () => {
    for (const watcher of watchers) {
      if (watcher.pattern.test(output.scanned())) watchers.delete(watcher), watcher.resolve(performance.now());
    }
    const match = ready && options.ready!.exec(output.scanned());
    if (match) ready!(match);
    if (started && watchers.size === 0) output.pause();
  };
  const seen = (pattern: RegExp) =>
    new Promise<number>((resolve, reject) => {
      output.catchUp();
      if (pattern.test(output.scanned())) return resolve(performance.now());
      const watcher = { pattern, resolve };
      watchers.add(watcher);
      output.follow(onGrowth);
      child.once(
        'close',
        () =>
          watchers.delete(watcher) &&
          reject(new Error(`${options.label} exited before printing ${pattern}; its last output:\n${tail()}`)),
      );
    });
  const tail = () => output.tail();
  return new Promise<Started>((resolve, reject) => {
    const succeed = (match?: RegExpExecArray) => {
      started = true;
      ready = undefined;
      clearTimeout(timer);
      if (watchers.size === 0) output.pause();
      resolve({ child, pid: child.pid!, match, spawnedAt, tail, seen });
    };
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop(child).then(() => reject(new Error(`${options.label} ${why}; its last output:\n${tail()}`)));
    };
    const timer = setTimeout(() => fail(`did not start within ${startTimeoutMs / 1000} s`), startTimeoutMs);
    if (options.ready) ready = succeed;
    output.follow(onGrowth);
    // 'close' rather than 'exit': by then its last words are in the file.
    child.once('close', (code, signal) => {
      output.pause();
      if (!started) fail(`exited (${signal ?? code})`);
      else if (!stopping.has(child))
        process.stderr.write(`${options.label} exited (${signal ?? code}); its last output:\n${tail()}\n`);
    });
    if (!options.ready) succeed();
  });
}

let outputs = 0;

/** A growing file read as it grows (while followed), keeping the last 64 KB read for patterns. */
function followFile(file: string) {
  let offset = 0;
  let scanned = '';
  let watcher: FSWatcher | undefined;
  const catchUp = () => {
    const size = statSync(file).size;
    if (size <= offset) return;
    const fd = openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(size - offset, 1 << 20));
      for (let read; offset < size && (read = readSync(fd, buffer, 0, buffer.length, offset)) > 0; offset += read) {
        scanned = (scanned + buffer.subarray(0, read).toString()).slice(-65536);
      }
    } finally {
      closeSync(fd);
    }
  };
  return {
    scanned: () => scanned,
    catchUp,
    follow(onGrowth: () => void) {
      watcher?.close();
      watcher = watch(file, () => (catchUp(), onGrowth()));
      catchUp();
      onGrowth();
    },
    pause() {
      watcher?.close();
      watcher = undefined;
    },
    tail: () => {
      try {
        const size = statSync(file).size;
        const fd = openSync(file, 'r');
        try {
          const buffer = Buffer.alloc(Math.min(size, 4096));
          readSync(fd, buffer, 0, buffer.length, size - buffer.length);
          return buffer.toString();
        } finally {
          closeSync(fd);
        }
      } catch {
        return '';
      }
    },
  };
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
export const rssKb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);

const clockTicksPerSecond = 100; // USER_HZ, which /proc reports in on Linux whatever the kernel's own HZ

/**
 * CPU time the process has used so far, user and system, all its threads, in ms (from
 * /proc/<pid>/stat: utime and stime, in ticks of 10 ms), so that what a window of load cost a
 * server is read from the outside, with nothing added to the server.
 */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name, in parentheses, may hold spaces: the fields are counted after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
}

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

/** scripts/bench/echo-server.ts over HTTP, with `tools` dummy tools besides echo and add, on `port` (0: one it picks). */
export async function startEchoServer(tools = 0, port = 0): Promise<EchoServer> {
  const started = await start(
    process.execPath,
    typeScriptArgs('scripts/bench/echo-server.ts', '--tools', String(tools), '--port', String(port)),
    {
      label: 'echo-server',
      ready: /\{"port":(\d+)\}/,
    },
  );
  const startMs = performance.now() - started.spawnedAt;
  return { started, startMs, url: (path = '/mcp') => `http://127.0.0.1:${started.match![1]}${path}` };
}

/** scripts/bench/modern-echo-server.ts (the 2026-07-28 era) over HTTP, on a port it picks; `raw`: the hand-written answerer. */
export async function startModernEchoServer(raw = false): Promise<EchoServer> {
  const started = await start(
    process.execPath,
    typeScriptArgs('scripts/bench/modern-echo-server.ts', ...(raw ? ['--raw'] : [])),
    { label: 'modern-echo-server', ready: /\{"port":(\d+)\}/ },
  );
  const startMs = performance.now() - started.spawnedAt;
  return { started, startMs, url: (path = '/mcp') => `http://127.0.0.1:${started.match![1]}${path}` };
}

/** The arguments of scripts/bench/echo-server.ts over stdio. */
export const stdioEchoArgs = () => typeScriptArgs('scripts/bench/echo-server.ts', '--stdio');
