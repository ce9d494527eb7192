/**
 * Upstream transport for MCP servers run as child processes (`type: stdio`). The child gets only
 * a safe set of environment variables (PATH, HOME, ...) plus `connection.env`, so the gateway's own
 * secrets do not leak into servers; its stderr goes to the gateway's log, one line per entry.
 */
import { createInterface } from 'node:readline';
import { definePlugin, type TransportFactory, z } from 'mcp-gateway';
import { MessageChannel } from 'mcp-gateway/message-channel';
import { ChildProcessStream } from './child-process.ts';

const settingsSchema = z.strictObject({
  connection: z.strictObject({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    /** Added to the child's environment (values may use ${ENV}). */
    env: z.record(z.string(), z.string()).default({}),
    /** The child's working directory; relative paths start from the config file's folder (the default). */
    cwd: z.string().optional(),
    /** Give the child the gateway's whole environment instead of the safe set. */
    inherit_env: z.boolean().default(false),
  }),
});

type Settings = z.output<typeof settingsSchema>;

export default definePlugin({
  name: 'stdio',
  version: '1.0.0',
  kernel: '^1.0.0',
  transport: { type: 'stdio', schema: settingsSchema },
  setup(ctx) {
    const factory: TransportFactory<Settings> = {
      async open(server, { logger }) {
        const { command, args, env, cwd, inherit_env } = server.connection.connection;
        let child: ChildProcessStream | undefined;
        // Made first, so that the child's exit, however early, reaches it.
        const channel = new MessageChannel({
          write: (message) => child!.write(message),
          close: async () => child?.close(),
        });
        child = await ChildProcessStream.start(
          { command, args, env, inheritEnv: inherit_env, cwd: resolvePath(server.baseDir, cwd) },
          {
            onMessage: (message) => channel.receive(message),
            onInvalid: (line) =>
              logger.warn(
                { line: line.slice(0, 200) },
                'the server wrote a line that is not a JSON-RPC message on stdout; skipped',
              ),
            onExit: (error) => channel.lost(error),
          },
        );
        createInterface({ input: child.stderr }).on('line', (line) => logger.info({ stream: 'stderr' }, line));
        return channel;
      },
    };
    ctx.provide('transport:stdio', factory as TransportFactory);
  },
});

const resolvePath = (base: string, path: string | undefined) => new URL(path ?? '.', `file://${base}/`).pathname;
