/**
 * The whole page: the live sections as they are now, the catalogue search and the who-sees-what
 * form. It works without JavaScript (a reload shows fresh numbers); the script (assets.ts) only
 * polls for fragments and sends the form without leaving the page.
 */
import { html } from 'hono/html';
import {
  type CatalogueShown,
  catalogueTable,
  type Markup,
  planSection,
  sessionsSection,
  updatedLine,
  upstreamsSection,
} from './sections.ts';
import type { Overview } from './snapshot.ts';

export interface PageSettings {
  readonly path: string;
  readonly refreshMs: number;
  /** The MCP endpoints' names, `default` first: who sees what asks about one of them. */
  readonly endpoints: readonly string[];
}

export function statusPage(settings: PageSettings, view: Overview, catalogue: CatalogueShown): Markup {
  const { path } = settings;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<meta name="color-scheme" content="light dark" />
<title>mcp-gateway status</title>
<link rel="stylesheet" href="${path}/assets/status.css" />
<script src="${path}/assets/status.js" defer></script>
</head>
<body data-live="${path}/fragments/live" data-refresh-ms="${settings.refreshMs}">
<header>
<h1>mcp-gateway ${view.gateway.version}</h1>
<nav aria-label="Sections"><ul>
<li><a href="#upstreams">Upstreams</a></li><li><a href="#sessions">Sessions</a></li><li><a href="#plan">Plan</a></li><li><a href="#catalogue">Catalogue</a></li><li><a href="#who">Who sees what</a></li>
</ul></nav>
<p id="connection" role="status"></p>
</header>
<main>
${updatedLine(view)}
${upstreamsSection(view.upstreams)}
${sessionsSection(view)}
${planSection(view)}
<section id="catalogue" aria-labelledby="catalogue-title">
<h2 id="catalogue-title">Catalogue</h2>
<p><label for="catalogue-search">Search the catalogue</label>
<input id="catalogue-search" type="search" autocomplete="off" placeholder="name, server, annotation" /></p>
${catalogueTable(catalogue)}
</section>
<section id="who" aria-labelledby="who-title">
<h2 id="who-title">Who sees what</h2>
<p>Enter a principal as a token would carry it: what would the running permission policy let it list and call?</p>
<form id="who-form" method="post" action="${path}/fragments/who-sees-what">
${
  settings.endpoints.length > 1
    ? html`<p><label for="who-endpoint">Endpoint</label> <select id="who-endpoint" name="endpoint">${settings.endpoints.map((name) => html`<option>${name}</option>`)}</select></p>`
    : ''
}
<p><label for="who-subject">Subject</label> <input id="who-subject" name="subject" required value="someone" /></p>
<p><label for="who-scopes">Scopes</label> <input id="who-scopes" name="scopes" aria-describedby="who-list-hint" /></p>
<p><label for="who-groups">Groups</label> <input id="who-groups" name="groups" aria-describedby="who-list-hint" /></p>
<p id="who-list-hint" class="hint">Separated by spaces or commas.</p>
<p><label for="who-claims">Other claims (JSON)</label> <textarea id="who-claims" name="claims" rows="2" placeholder='{"roles": ["Admin"]}'></textarea></p>
<p><button type="submit">Show what it sees</button></p>
</form>
<div id="who-result" aria-live="polite"></div>
</section>
</main>
</body>
</html>`;
}
