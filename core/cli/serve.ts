/**
 * `mcp-gateway serve`: start the gateway, reload its configuration on SIGHUP (and, with
 * `--watch`, when its file changes), and stop it gracefully on SIGTERM or SIGINT (a second signal
 * exits at once). Resolves with the process exit code once the gateway has stopped.
 */
import { watch as watchFolder } from 'node:fs';
import { basename, dirname } from 'node:path';
import { secretValues } from '../boot/config/secrets.ts';
import { GatewayError } from '../kernel/errors.ts';
import { createLogger, LineSecrets, type Logger } from '../engine/logger.ts';
import { Gateway } from '../engine/gateway.ts';
import type { Prepared } from './prepare.ts';

/** `prepare` again, from the same flags, environment and working directory: the file as it is now. */
export type Reprepare = () => Promise<Prepared>;

export interface ReloadOptions {
  readonly reprepare: Reprepare;
  /** Reload when the configuration file changes, too. */
  readonly watch: boolean;
}

/** Editors write a file in several steps (truncate, write, rename): reload once they are done. */
const WATCH_SETTLE_MS = 200;

export async function serve(prepared: Prepared, reloading: ReloadOptions): Promise<number> {
  const { config, plan, baseDir } = prepared;
  const secrets = new LineSecrets(secretValues(prepared.raw, process.env));
  const logger = createLogger({ level: config.logging.level, format: config.logging.format, secrets });
  logger.info(
    {
      config: prepared.location.file,
      plugins: plan.plugins.map(
        (p) => `${p.definition.name}@${p.definition.version} (${p.origin === 'builtin' ? 'built-in' : p.file})`,
      ),
    },
    'starting mcp-gateway',
  );
  const gateway = new Gateway({ config, plan, baseDir, logger, configFile: prepared.location.file });
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
  // Reloads run one at a time; a SIGHUP during one is served by another once it ends.
  let reloads = Promise.resolve();
  const onHangup = () => {
    // A stopping gateway refuses a reload anyway: not worth reading and planning the file for.
    if (stopping) return;
    reloads = reloads.then(() => reload(gateway, reloading.reprepare, secrets, logger));
  };
  process.on('SIGHUP', onHangup);
  try {
    await gateway.start();
  } catch (error) {
    logger.flush();
    throw error;
  }
  const stopWatching = reloading.watch ? watchFile(prepared.location.file, onHangup, logger) : undefined;
  const code = await stopped;
  process.off('SIGHUP', onHangup);
  stopWatching?.();
  await reloads;
  logger.info('stopped');
  logger.flush();
  // Everything the gateway opened is closed now; a timer left behind by some library (an exporter
  // retrying, say) must not keep a stopped process alive.
  setTimeout(() => process.exit(code), 1000).unref();
  return code;
}

/** Read the configuration again and apply it; a configuration that does not load changes nothing. */
async function reload(gateway: Gateway, reprepare: Reprepare, secrets: LineSecrets, logger: Logger): Promise<void> {
  let next: Prepared;
  try {
    next = await reprepare();
  } catch (error) {
    return refused(gateway, logger, secrets, error);
  }
  secrets.add(secretValues(next.raw, process.env));
  try {
    const diff = await gateway.reload(next);
    logger.info(
      {
        config: next.location.file,
        added: diff.added.map((server) => server.name),
        removed: diff.removed,
        changed: diff.changed.map((server) => server.name),
        ...(diff.reloadedPlugins.length && { plugins_reconfigured: diff.reloadedPlugins }),
        ...(diff.needRestart.length && { need_restart: diff.needRestart }),
      },
      diff.needRestart.length
        ? 'configuration reloaded; some changes take effect only after a restart'
        : 'configuration reloaded',
    );
  } catch (error) {
    refused(gateway, logger, secrets, error);
  }
}

/**
 * Watch the file's folder rather than the file: an editor that saves by renaming a new file over
 * the old one leaves a watch on the file itself watching nothing.
 */
function watchFile(file: string, changed: () => void, logger: Logger): () => void {
  let timer: NodeJS.Timeout | undefined;
  const watcher = watchFolder(dirname(file), (_event, name) => {
    if (name !== basename(file)) return;
    clearTimeout(timer);
    timer = setTimeout(changed, WATCH_SETTLE_MS);
  });
  watcher.on('error', (error) =>
    logger.warn({ err: error, config: file }, 'cannot watch the configuration file; SIGHUP still reloads it'),
  );
  logger.info({ config: file }, 'watching the configuration file');
  // A change just before a stop must not start a reload after it.
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}

/** A reload that fails is logged, never thrown: the gateway keeps serving with what it runs. */
function refused(gateway: Gateway, logger: Logger, secrets: LineSecrets, error: unknown): void {
  const reason =
    error instanceof GatewayError ? error.describe() : error instanceof Error ? error.message : String(error);
  // Plugins may show it (a status page): blanked as the log blanks it, since it may quote the file.
  gateway.reloadRefused(secrets.blank(reason));
  logger.error(
    { ...(error instanceof GatewayError && { code: error.code }) },
    `configuration reload refused, the running one stays: ${reason}`,
  );
}
