/**
 * Upstream transport for MCP servers run as child processes (`type: stdio`). The child is
 * started with the SDK's stdio client transport, which passes only a safe set of environment
 * variables (PATH, HOME, ...) plus `connection.env`, so the gateway's own secrets do not leak into
 * servers; its stderr goes to the gateway's log, one line per entry.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { definePlugin, MessageChannel, z, type TransportFactory } from 'mcp-gateway';

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
        const transport = new StdioClientTransport({
          command,
          args,
          env: inherit_env ? { ...(process.env as Record<string, string>), ...env } : env,
          cwd: resolvePath(server.baseDir, cwd),
          stderr: 'pipe',
        });
        if (transport.stderr) {
          createInterface({ input: transport.stderr as Readable }).on('line', (line) => logger.info({ stream: 'stderr' }, line));
        }
        const channel = new MessageChannel({ write: (message) => transport.send(message), close: () => transport.close() });
        transport.onmessage = (message) => channel.receive(message);
        transport.onclose = () => channel.lost(new Error(`${command} exited`));
        transport.onerror = (error) => logger.warn({ err: error }, 'stdio transport error');
        await transport.start();
        return channel;
      },
    };
    ctx.provide('transport:stdio', factory as TransportFactory);
  },
});

const resolvePath = (base: string, path: string | undefined) => new URL(path ?? '.', `file://${base}/`).pathname;
