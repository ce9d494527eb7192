/**
 * `mcp-gateway serve`: start the gateway and stop it gracefully on SIGTERM or SIGINT (a second
 * signal exits at once). Resolves with the process exit code once the gateway has stopped.
 */
import { secretValues } from '../config/secrets.ts';
import { createLogger } from '../logger.ts';
import { Gateway } from '../gateway.ts';
import type { Prepared } from './prepare.ts';

export async function serve(prepared: Prepared): Promise<number> {
  const { config, plan, baseDir } = prepared;
  const logger = createLogger({ level: config.logging.level, format: config.logging.format, secrets: secretValues(prepared.raw, process.env) });
  logger.info(
    {
      config: prepared.location.file,
      plugins: plan.plugins.map((p) => `${p.definition.name}@${p.definition.version} (${p.origin === 'builtin' ? 'built-in' : p.file})`),
    },
    'starting mcp-gateway',
  );
  const gateway = new Gateway({ config, plan, baseDir, logger });
  let stopping = false;
  const stopped = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        logger.flush();
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, 'stopping');
      gateway.stop().then(
        () => resolve(0),
        (error: unknown) => {
          logger.error({ err: error }, 'error while stopping');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  try {
    await gateway.start();
  } catch (error) {
    logger.flush();
    throw error;
  }
  const code = await stopped;
  logger.info('stopped');
  logger.flush();
  // Everything the gateway opened is closed now; a timer left behind by some library (an exporter
  // retrying, say) must not keep a stopped process alive.
  setTimeout(() => process.exit(code), 1000).unref();
  return code;
}
