/** The command line: parse, dispatch, and turn every known failure into one line and an exit code. */
import { parseArgs } from 'node:util';
import { GatewayError } from '../kernel/errors.ts';
import { gatewayVersion } from '../engine/version.ts';
import { prepare } from './prepare.ts';
import { serve } from './serve.ts';
import { usage } from './usage.ts';
import { describePlan } from './validate.ts';

const EXIT_USAGE = 2;

export async function main(argv: readonly string[], env = process.env, cwd = process.cwd()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        plugins: { type: 'string', short: 'p', multiple: true },
        port: { type: 'string' },
        host: { type: 'string' },
        'log-level': { type: 'string' },
        'log-format': { type: 'string' },
        watch: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    process.stderr.write(`mcp-gateway: ${(error as Error).message} (see mcp-gateway --help)\n`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) return (process.stdout.write(usage), 0);
  if (values.version) return (process.stdout.write(`${gatewayVersion}\n`), 0);
  const [command = 'serve', ...extra] = positionals;
  if ((command !== 'serve' && command !== 'validate') || extra.length > 0) {
    process.stderr.write(`mcp-gateway: unknown command "${[command, ...extra].join(' ')}" (see mcp-gateway --help)\n`);
    return EXIT_USAGE;
  }
  const flags = {
    config: values.config,
    plugins: values.plugins,
    port: values.port,
    host: values.host,
    logLevel: values['log-level'],
    logFormat: values['log-format'],
  };
  try {
    const prepared = await prepare(flags, env, cwd);
    if (command === 'validate') {
      process.stdout.write(`${describePlan(prepared, cwd)}\nconfiguration is valid\n`);
      return 0;
    }
    return await serve(prepared, { reprepare: () => prepare(flags, env, cwd), watch: values.watch ?? false });
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    process.stderr.write(`mcp-gateway: ${error.describe()}\n`);
    return error.code === 'GW_ERR_USAGE' ? EXIT_USAGE : 1;
  }
}
