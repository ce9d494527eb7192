/**
 * No Docker engine runs here, so the image cannot be built in CI; instead the Dockerfile's
 * promises are checked against the code they depend on, so that neither drifts alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelConfigSchema } from '../../core/kernel/config/schema.ts';
import { systemConfigFile } from '../../core/boot/config/load.ts';
import { repoRoot } from '../helpers/processes.ts';
import { startInProcess } from '../helpers/in-process.ts';

const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const instructions = dockerfile
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .filter((line) => line.trim() && !line.trim().startsWith('#'));
const all = (keyword: string) => instructions.filter((line) => line.startsWith(`${keyword} `));

describe('Dockerfile', () => {
  it('is multi-stage and installs production dependencies only, from the lock file', () => {
    expect(all('FROM').length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toContain('npm ci --omit=dev');
    expect(dockerfile).toContain('COPY package.json package-lock.json');
  });

  it('builds and runs on Node 24, the active LTS (Node 20 reached its end of life on 2026-04-30)', () => {
    for (const from of all('FROM')) expect(from).toMatch(/^FROM node:24-bookworm-slim\b/);
  });

  it('runs as a non-root user', () => {
    const user = all('USER').at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/USER (root|0)\b/);
  });

  it('exposes the default port and listens on all interfaces', () => {
    const defaultPort = kernelConfigSchema.parse({}).server.port;
    expect(all('EXPOSE')).toEqual([`EXPOSE ${defaultPort}`]);
    expect(dockerfile).toMatch(/MCP_GATEWAY_HOST=0\.0\.0\.0/);
    expect(dockerfile).toContain(`|| ${defaultPort})`);
  });

  it('health-checks /live, which the health plugin serves', async () => {
    const [healthcheck] = all('HEALTHCHECK');
    expect(healthcheck).toContain("/live'");
    const gateway = await startInProcess({});
    try {
      expect((await gateway.app.request('/live')).status).toBe(200);
    } finally {
      await gateway.stop();
    }
  });

  it('documents the config path the gateway finds by default', () => {
    expect(systemConfigFile).toBe('/etc/mcp-gateway/config.yaml');
    expect(dockerfile).toContain(systemConfigFile);
  });

  it('starts the CLI that package.json publishes', () => {
    const { bin } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(all('ENTRYPOINT')[0]).toContain(`"${bin['mcp-gateway']}"`);
    for (const folder of ['core', 'plugins', 'config']) expect(dockerfile).toContain(`COPY ${folder} ./${folder}`);
  });

  it('builds the JavaScript in a stage of its own and runs it, so starts load no TypeScript loader', () => {
    const at = (prefix: string) => instructions.findIndex((line) => line.startsWith(prefix));
    const build = at('RUN node core/cli/build.js');
    expect(build).toBeGreaterThan(at('COPY plugins ./plugins'));
    expect(build).toBeGreaterThan(at('COPY core ./core'));
    expect(at('COPY --from=build /app/dist ./dist')).toBeGreaterThan(build);
    // npm ci would run the package's prepare (the whole build, with its dev tools): the image's does not.
    for (const line of all('RUN').filter((run) => run.includes('npm ci'))) expect(line).toContain('--ignore-scripts');
    const { devDependencies } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(devDependencies).toHaveProperty('esbuild');
  });
});
