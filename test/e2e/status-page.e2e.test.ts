/**
 * The status page in a real browser (Debian's Chromium, headless, driven by playwright-core), against
 * a gateway process with two Streamable HTTP upstreams: an upstream killed turns its row down
 * within seconds and back to ready once restarted, without a reload of the page; the who-sees-what
 * form agrees with what MCP clients of two principals list; a browser without the token gets 401;
 * no secret appears in the page or its JSON. Screenshots go to the test's output folder (with
 * UPDATE_STATUS_PAGE_SCREENSHOT=1, also to config/status-page.png for the README).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { afterAll, beforeAll, expect } from 'vitest';
import type { RunningPlan } from '../../core/kernel/plugin.ts';
import { principalHeader } from '../fixtures/plugins/claims-principal.ts';
import { chromium as chromiumBrowser, itWith } from '../helpers/debian.ts';
import {
  type FixtureHttp,
  repoRoot,
  type RunningGateway,
  startFixtureHttp,
  startGateway,
  tempDir,
} from '../helpers/processes.ts';
import { httpUpstream } from '../helpers/servers.ts';

const it = itWith('the status page browser tests', chromiumBrowser);

const token = 'status-page-token-for-the-e2e-test';
const upstreamSecret = 'upstream-api-key-never-shown';
const quick = { heartbeat: { interval: '1s', timeout: '500ms' }, reconnect: { initial: '200ms', max: '1s' } };
const principals = {
  dana: { sub: 'dana', claims: { groups: ['Developers'] } },
  sam: { sub: 'sam', scopes: ['scope:echo'] },
};

let alpha: FixtureHttp;
let beta: FixtureHttp;
let gateway: RunningGateway;
let browser: Browser;
const output = process.env.STATUS_PAGE_SCREENSHOTS ?? tempDir('status-page-screenshots-');

beforeAll(async () => {
  [alpha, beta] = await Promise.all([startFixtureHttp('alpha'), startFixtureHttp('beta')]);
  gateway = await startGateway({
    env: { STATUS_PAGE_TOKEN: token, UPSTREAM_KEY: upstreamSecret },
    config: {
      plugins: [
        'health',
        join(repoRoot, 'test/fixtures/plugins/claims-principal.ts'),
        'permissions',
        { use: 'status-page', options: { refresh: '500ms', access: { token: '${STATUS_PAGE_TOKEN}' } } },
        'streamable-http',
      ],
      auth: {
        claims: ['groups'],
        mappings: { 'groups:Developers': ['scope:dev'] },
        permissions: {
          'alpha:*': ['scope:dev'],
          'alpha:exit': ['scope:admin'],
          'alpha:freeze': ['scope:admin'],
          'beta:echo': ['scope:echo', 'scope:dev'],
          'beta:add': ['scope:dev'],
        },
      },
      proxy: {
        servers: [
          httpUpstream('alpha', alpha.url, {
            ...quick,
            connection: { url: alpha.url, headers: { 'x-api-key': '${UPSTREAM_KEY}' } },
          }),
          httpUpstream('beta', beta.url, quick),
        ],
      },
    },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  await Promise.all([alpha?.stop(), beta?.stop()]);
});

const statusUrl = () => `${gateway.baseUrl}/status`;

/** A page logged in with the token link, which leaves the token in a cookie and the address bar clean. */
async function openStatusPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await page.goto(`${statusUrl()}?token=${token}`);
  expect(page.url()).toBe(statusUrl());
  return page;
}

const stateOf = (page: Page, server: string) =>
  page.locator(`tr[data-upstream="${server}"] td[data-state]`).getAttribute('data-state');

async function waitForState(page: Page, server: string, state: string, timeout = 10_000) {
  await page.locator(`tr[data-upstream="${server}"] td[data-state="${state}"]`).waitFor({ timeout });
}

async function listedBy(principal: object): Promise<string[]> {
  const client = new Client({ name: 'status-page-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(gateway.mcpUrl), {
      requestInit: { headers: { [principalHeader]: JSON.stringify(principal) } },
    }),
  );
  try {
    return (await client.listTools()).tools.map((t) => t.name).sort();
  } finally {
    await client.close();
  }
}

async function callSome(principal: object, tools: string[]): Promise<void> {
  const client = new Client({ name: 'status-page-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(gateway.mcpUrl), {
      requestInit: { headers: { [principalHeader]: JSON.stringify(principal) } },
    }),
  );
  for (let i = 0; i < 5; i++) {
    for (const name of tools) await client.callTool({ name, arguments: { text: 'hi', a: 1, b: 2 } });
  }
  await client.close();
}

it('refuses a browser without the token', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const response = await page.goto(statusUrl());
  expect(response?.status()).toBe(401);
  const api = await page.goto(`${statusUrl()}/api/overview`);
  expect(api?.status()).toBe(401);
  expect(await page.content()).not.toContain('alpha');
  await context.close();
});

it('shows an upstream going down and coming back, live, without a reload', async () => {
  const page = await openStatusPage();
  await waitForState(page, 'alpha', 'ready');
  await waitForState(page, 'beta', 'ready');
  await expect.poll(() => page.locator('tr[data-upstream="beta"] .badge').textContent()).toContain('ready');
  // The heartbeat (every second) has been answered: its round trip is shown.
  await expect
    .poll(() => page.locator('tr[data-upstream="alpha"] td').nth(5).textContent(), { timeout: 5000 })
    .toMatch(/^\d+(\.\d+)? ms$/);
  await page.screenshot({ path: join(output, 'status-page-ready.png'), fullPage: true });
  // A mark on this document: a reload would make a new one without it.
  await page.evaluate(() => ((window as unknown as { loadedOnce: boolean }).loadedOnce = true));

  const port = beta.port;
  await beta.stop();
  const down = Date.now();
  await waitForState(page, 'beta', 'down');
  expect(Date.now() - down).toBeLessThan(10_000);
  expect(await stateOf(page, 'alpha')).toBe('ready');
  expect(await page.locator('tr[data-upstream="beta"] .badge').textContent()).toContain('down');
  expect(await page.locator('tr[data-upstream="beta"] td[data-state]').textContent()).toMatch(
    /failed; (backing off until|reconnecting)/,
  );
  await page.screenshot({ path: join(output, 'status-page-beta-down.png'), fullPage: true });
  // Its items leave the catalogue, which the page fetches again since it changed.
  await expect
    .poll(() => page.locator('#catalogue-table').textContent(), { timeout: 5000 })
    .not.toContain('beta__echo');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(output, 'status-page-beta-down-dark.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });

  beta = await startFixtureHttp('beta', port);
  await waitForState(page, 'beta', 'ready', 15_000);
  expect(await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
  await expect.poll(() => page.locator('#catalogue-table').textContent(), { timeout: 5000 }).toContain('beta__echo');
  // The search keeps filtering the catalogue as it is refreshed.
  await page.getByLabel('Search the catalogue').fill('greet');
  await expect.poll(() => page.locator('#catalogue-table tbody tr:visible').count()).toBe(2);
  expect(await page.locator('tr[data-upstream="beta"] td').nth(4).textContent()).not.toBe(''); // reconnects shown
  await page.context().close();
});

it('tells who sees what as MCP clients with those principals list', async () => {
  const page = await openStatusPage();
  await waitForState(page, 'beta', 'ready', 15_000);
  const ask = async (fields: { subject: string; scopes?: string; groups?: string }) => {
    await page.getByLabel('Subject').fill(fields.subject);
    await page.getByLabel('Scopes').fill(fields.scopes ?? '');
    await page.getByLabel('Groups').fill(fields.groups ?? '');
    await page.getByRole('button', { name: 'Show what it sees' }).click();
    await page.locator(`#who-result[data-subject="${fields.subject}"]`).waitFor();
    return (
      await page.locator('#who-result table[data-list="allowed"] tr[data-kind="tool"] code').allTextContents()
    ).sort();
  };
  const danaSees = await ask({ subject: 'dana', groups: 'Developers' });
  expect(danaSees).toEqual(await listedBy(principals.dana));
  expect(danaSees).toContain('alpha__echo');
  expect(danaSees).not.toContain('alpha__exit');
  // The refusal says which rule and which scope.
  const exit = page.locator('#who-result table[data-list="refused"] tr', { hasText: 'alpha__exit' });
  expect(await exit.textContent()).toMatch(/alpha:exit.*scope:admin/);

  // From the keyboard alone: type in the fields, Tab between them, Enter sends; the answer takes the focus.
  await page.getByLabel('Subject').focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('sam');
  await page.keyboard.press('Tab');
  await page.keyboard.type('scope:echo');
  await page.keyboard.press('Tab');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.press('Enter');
  await page.locator('#who-result[data-subject="sam"]').waitFor();
  await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('What sam sees');
  const samSees = (
    await page.locator('#who-result table[data-list="allowed"] tr[data-kind="tool"] code').allTextContents()
  ).sort();
  expect(samSees).toEqual(await listedBy(principals.sam));
  expect(samSees).toEqual(['beta__echo']);
  await page.screenshot({ path: join(output, 'status-page-who-sees-what.png'), fullPage: true });
  if (process.env.UPDATE_STATUS_PAGE_SCREENSHOT) {
    // The top of the page, with some calls in the numbers.
    await callSome(principals.dana, ['alpha__echo', 'alpha__add', 'alpha__fail', 'beta__echo']);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(output, 'status-page.png') });
    copyFileSync(join(output, 'status-page.png'), join(repoRoot, 'config/status-page.png'));
  }
  await page.context().close();
});

it('shows the last reload: refused with why, then applied', async () => {
  const page = await openStatusPage();
  const plan = async () => (await (await page.request.get(`${statusUrl()}/api/plan`)).json()) as RunningPlan;
  expect((await plan()).configFile).toBe(gateway.configFile);
  expect((await plan()).lastReload).toBeUndefined();
  const good = readFileSync(gateway.configFile, 'utf8');
  writeFileSync(gateway.configFile, `${good}\nbogus_section: 1\n`);
  gateway.child.kill('SIGHUP');
  await expect
    .poll(async () => (await plan()).lastReload, { timeout: 10_000 })
    .toMatchObject({
      applied: false,
      refused: expect.stringContaining('bogus_section'),
    });
  await expect.poll(() => page.locator('#plan').textContent(), { timeout: 5000 }).toContain('refused');
  writeFileSync(gateway.configFile, good);
  gateway.child.kill('SIGHUP');
  await expect.poll(async () => (await plan()).lastReload, { timeout: 10_000 }).toMatchObject({ applied: true });
  await page.context().close();
});

it('shows no secret in the page or its JSON', async () => {
  const page = await openStatusPage();
  const bodies = [await page.content()];
  for (const api of ['overview', 'upstreams', 'catalogue', 'plan', 'sessions']) {
    const response = await page.request.get(`${statusUrl()}/api/${api}`);
    expect(response.status()).toBe(200);
    bodies.push(await response.text());
  }
  const all = bodies.join('\n');
  expect(all).toContain('alpha');
  expect(all).not.toContain(token);
  expect(all).not.toContain(upstreamSecret);
  await page.context().close();
});
