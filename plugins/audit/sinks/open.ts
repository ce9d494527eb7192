/** The configured sink, opened at setup so that a wrong path or a missing token stops the boot. */
import { isAbsolute, resolve } from 'node:path';
import { ErrorCodes, GatewayError, type Logger } from 'mcp-gateway';
import type { SinkOptions } from '../options.ts';
import { fileSink } from './file.ts';
import { httpSink } from './http.ts';
import type { AuditSink } from './sink.ts';
import { stdoutSink } from './stdout.ts';

export async function openSink(options: SinkOptions, context: { baseDir: string; logger: Logger }): Promise<AuditSink> {
  switch (options.type) {
    case 'stdout':
      return stdoutSink();
    case 'file': {
      const path = isAbsolute(options.path) ? options.path : resolve(context.baseDir, options.path);
      try {
        return await fileSink(path, context.logger);
      } catch (error) {
        throw new GatewayError(ErrorCodes.CONFIG, `audit.file.path: cannot open ${path}: ${(error as Error).message}`);
      }
    }
    case 'http': {
      const name = options.token_env;
      const token = name === undefined ? undefined : process.env[name];
      if (name !== undefined && !token) {
        throw new GatewayError(
          ErrorCodes.ENV_MISSING,
          `audit.http.token_env: the environment variable ${name} is not set (it holds the bearer token)`,
        );
      }
      return httpSink(options, token);
    }
  }
}
