/**
 * The page's sections, server-rendered with Hono's `html` template (every interpolated value is
 * escaped). The same functions render the first page and the fragments the open page swaps in
 * while it polls, so there is one rendering, not a server one and a client one.
 */
import { html } from 'hono/html';
import type { UpstreamState } from 'mcp-gateway';
import type { CallSummary } from './call-stats.ts';
import type { CatalogueEntry, Overview, UpstreamRow } from './snapshot.ts';
import type { WhoSeesWhat } from './who-sees-what.ts';

export type Markup = ReturnType<typeof html>;

/** Colour and a symbol and a word: a state is never told by colour alone. */
const stateLabels: Record<UpstreamState, { symbol: string; word: string }> = {
  ready: { symbol: '●', word: 'ready' },
  connecting: { symbol: '◌', word: 'connecting' },
  down: { symbol: '▼', word: 'down' },
  closed: { symbol: '■', word: 'closed' },
};

const time = (iso: string) => html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>`;
const ms = (value: number | undefined) => (value === undefined ? '–' : `${value} ms`);
const orDash = (value: string | number | undefined) => (value === undefined || value === '' ? '–' : value);

function stateCell(u: UpstreamRow): Markup {
  const { symbol, word } = stateLabels[u.state];
  const retrying =
    u.state === 'down'
      ? html`<br /><small>${u.failures} failed; ${u.retryAt ? html`backing off until ${time(u.retryAt)}` : 'reconnecting'}</small>`
      : '';
  return html`<td data-state="${u.state}"><span class="badge state-${u.state}"><span aria-hidden="true">${symbol}</span> ${word}</span>${retrying}<br /><small>since ${time(u.since)}</small></td>`;
}

function callCells(calls: CallSummary): Markup {
  return html`<td>${calls.inFlight}</td><td>${calls.perMinute}/min <small>(${calls.calls} in ${calls.windowMs / 1000} s)</small></td><td>${calls.errors}</td><td>${ms(calls.p50Ms)} / ${ms(calls.p99Ms)}</td>`;
}

export function upstreamsSection(upstreams: readonly UpstreamRow[]): Markup {
  const rows = upstreams.map(
    (u) => html`<tr data-upstream="${u.name}">
  <th scope="row">${u.name}${u.required ? html` <small>(required)</small>` : ''}${u.server ? html`<br /><small>${u.server.name} ${u.server.version}</small>` : ''}</th>
  <td>${u.transport}</td><td>${orDash(u.protocolVersion)}</td>${stateCell(u)}
  <td class="error">${orDash(u.lastError)}</td><td>${u.reconnects}</td><td>${ms(u.heartbeatMs)}</td>
  <td>${u.counts.tools} / ${u.counts.prompts} / ${u.counts.resources}</td>${callCells(u.calls)}
</tr>`,
  );
  return html`<section id="upstreams" aria-labelledby="upstreams-title">
<h2 id="upstreams-title">Upstreams</h2>
<div class="scroll"><table>
<thead><tr><th scope="col">Server</th><th scope="col">Transport</th><th scope="col">Protocol</th><th scope="col">State</th><th scope="col">Last error</th><th scope="col">Reconnects</th><th scope="col">Heartbeat</th><th scope="col">Tools / prompts / resources</th><th scope="col">In flight</th><th scope="col">Rate</th><th scope="col">Errors</th><th scope="col">p50 / p99</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="12">No upstream servers are configured.</td></tr>`}</tbody>
</table></div>
</section>`;
}

/** Rows shown per count table: a gateway with thousands of principals keeps a readable page (the JSON has them all). */
const MAX_COUNT_ROWS = 25;

const countRows = (counts: Readonly<Record<string, number>>, empty: string) => {
  const entries = Object.entries(counts).sort(([, a], [, b]) => b - a);
  if (entries.length === 0) return html`<tr><td colspan="2">${empty}</td></tr>`;
  const rest = entries.slice(MAX_COUNT_ROWS);
  return html`${entries
    .slice(0, MAX_COUNT_ROWS)
    .map(
      ([key, n]) => html`<tr><th scope="row">${key === '' ? html`<i>anonymous</i>` : key}</th><td>${n}</td></tr>`,
    )}${rest.length ? html`<tr><th scope="row"><i>${rest.length} more</i></th><td>${rest.reduce((sum, [, n]) => sum + n, 0)}</td></tr>` : ''}`;
};

export function sessionsSection({ sessions }: Overview): Markup {
  return html`<section id="sessions" aria-labelledby="sessions-title">
<h2 id="sessions-title">Sessions</h2>
<p><strong data-open-sessions>${sessions.open}</strong> open on this replica; session store: ${sessions.store}${sessions.unrecordedEnds > 0 ? html`, <strong>failing</strong>: ${sessions.unrecordedEnds} session ends not recorded yet` : ''}. Clients of the 2026-07-28 era open no session: their calls count in the upstreams' numbers.</p>
<div class="pair">
<table><caption>By protocol version</caption><thead><tr><th scope="col">Version</th><th scope="col">Sessions</th></tr></thead><tbody>${countRows(sessions.byProtocolVersion, 'none')}</tbody></table>
<table><caption>By principal</caption><thead><tr><th scope="col">Subject</th><th scope="col">Sessions</th></tr></thead><tbody>${countRows(sessions.bySubject, 'none')}</tbody></table>
</div>
</section>`;
}

export function planSection({ plan }: Overview): Markup {
  const reload = plan.lastReload;
  const reloadText = !reload
    ? 'never since the start'
    : reload.applied
      ? html`${time(reload.at)}${reload.notApplied.length ? html`; not applied (take a restart): <ul>${reload.notApplied.map((change) => html`<li>${change}</li>`)}</ul>` : ', everything applied'}`
      : html`${time(reload.at)}, refused: ${reload.refused}`;
  return html`<section id="plan" aria-labelledby="plan-title">
<h2 id="plan-title">Running plan</h2>
<dl>
<dt>Configuration file</dt><dd>${orDash(plan.configFile)}</dd>
<dt>Started</dt><dd>${time(plan.startedAt)}</dd>
<dt>Last reload</dt><dd>${reloadText}</dd>
</dl>
<table><caption>Plugin chain, in load order</caption>
<thead><tr><th scope="col">#</th><th scope="col">Plugin</th><th scope="col">Version</th><th scope="col">From</th></tr></thead>
<tbody>${plan.plugins.map((p, i) => html`<tr><td>${i + 1}</td><th scope="row">${p.name}</th><td>${p.version}</td><td>${p.from}</td></tr>`)}</tbody>
</table>
</section>`;
}

const annotationText = (annotations: CatalogueEntry['annotations']) =>
  annotations
    ? Object.entries(annotations)
        .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
        .join(', ')
    : '';

export interface CatalogueShown {
  readonly generation: number;
  readonly entries: readonly CatalogueEntry[];
}

export function catalogueTable({ generation, entries }: CatalogueShown): Markup {
  const rows = entries.map(
    (e) =>
      html`<tr><td>${e.kind}</td><th scope="row"><code>${e.exposed}</code></th><td>${e.server}</td><td><code>${e.original}</code></td><td>${e.title ?? e.description ?? ''}</td><td>${annotationText(e.annotations)}</td></tr>`,
  );
  return html`<div id="catalogue-table" class="scroll" data-generation="${generation}"><table>
<caption>${entries.length} items exposed</caption>
<thead><tr><th scope="col">Kind</th><th scope="col">Exposed as</th><th scope="col">Server</th><th scope="col">Original name</th><th scope="col">Description</th><th scope="col">Annotations</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}

export function whoSeesWhatResult(result: WhoSeesWhat): Markup {
  const needs = (r: WhoSeesWhat['refused'][number]) =>
    r.requiredScopes.length === 0
      ? 'no rule and no default scope allow it'
      : `${r.requiredScopes.length > 1 ? (r.scopeMode === 'all' ? 'all of ' : 'one of ') : ''}${r.requiredScopes.join(', ')}`;
  return html`<div id="who-result" aria-live="polite" data-subject="${result.subject}">
<h3 tabindex="-1">What ${result.subject} sees${result.endpoint === 'default' ? '' : html` on endpoint ${result.endpoint}`}</h3>
<p>${result.policy ? html`Scopes under the policy: ${result.scopes.length ? result.scopes.join(', ') : html`<i>none</i>`}.` : 'No permissions plugin runs: every caller sees everything.'}</p>
<div class="pair">
<table data-list="allowed"><caption>Listed and callable (${result.allowed.length})</caption>
<thead><tr><th scope="col">Item</th><th scope="col">Rule</th></tr></thead>
<tbody>${result.allowed.map((a) => html`<tr data-kind="${a.kind}"><th scope="row"><code>${a.exposed}</code></th><td>${orDash(a.rule)}</td></tr>`)}</tbody></table>
<table data-list="refused"><caption>Refused (${result.refused.length})</caption>
<thead><tr><th scope="col">Item</th><th scope="col">Rule</th><th scope="col">Needs</th></tr></thead>
<tbody>${result.refused.map((r) => html`<tr data-kind="${r.item.kind}"><th scope="row"><code>${r.item.exposed}</code></th><td>${r.rule ?? 'no rule matches'}</td><td>${needs(r)}</td></tr>`)}</tbody></table>
</div>
</div>`;
}

export const updatedLine = (view: Overview): Markup =>
  html`<p id="updated">Updated ${time(view.gateway.at)}; gateway ${view.gateway.phase}.</p>`;

/** What the open page swaps in on each poll; the catalogue only when it changed since the page's. */
export function liveFragments(view: Overview, catalogue: CatalogueShown | undefined): Markup {
  return html`${updatedLine(view)}${upstreamsSection(view.upstreams)}${sessionsSection(view)}${planSection(view)}${catalogue ? catalogueTable(catalogue) : ''}`;
}
