/**
 * The page's stylesheet and script, served as files of their own (`<path>/assets/...`) so that the
 * page's Content-Security-Policy allows no inline code. Plain CSS and JavaScript, no build step.
 */

/** Light by default, dark when the system asks; each upstream state has a colour and a word. */
export const stylesheet = `
:root { --bg: #fff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --head: #f6f8fa;
  --ready: #1a7f37; --down: #cf222e; --connecting: #9a6700; --closed: #6e7781; --focus: #0969da; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #30363d; --head: #161b22;
    --ready: #3fb950; --down: #f85149; --connecting: #d29922; --closed: #9198a1; --focus: #58a6ff; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1400px; padding: 1rem 1.5rem; background: var(--bg); color: var(--fg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 1rem; padding: 0; margin: 0; }
a { color: var(--focus); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
table { border-collapse: collapse; width: 100%; margin: .25rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: var(--head); }
small, .hint, #updated { color: var(--muted); }
code { font-size: .9em; }
.scroll { overflow-x: auto; }
.pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1rem; }
.error { max-width: 28rem; overflow-wrap: anywhere; }
.badge { font-weight: 600; white-space: nowrap; }
.state-ready { color: var(--ready); }
.state-down { color: var(--down); }
.state-connecting { color: var(--connecting); }
.state-closed { color: var(--closed); }
tr:has(> td[data-state="down"]) { background: color-mix(in srgb, var(--down) 10%, transparent); }
input, textarea, button { font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--line);
  border-radius: 4px; padding: .3rem .5rem; }
input, textarea { min-width: min(28rem, 100%); }
button { cursor: pointer; background: var(--head); }
label { display: inline-block; min-width: 10rem; font-weight: 600; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
`;

/**
 * Polls the live fragments and swaps each element in by its id (the server renders them: there is
 * no second rendering here), keeps the catalogue filtered, and sends the who-sees-what form.
 */
export const script = `'use strict';
const body = document.body;
const every = Number(body.dataset.refreshMs) || 2000;
const connection = document.getElementById('connection');
const search = document.getElementById('catalogue-search');
const form = document.getElementById('who-form');

function filterCatalogue() {
  const query = search.value.trim().toLowerCase();
  for (const row of document.querySelectorAll('#catalogue-table tbody tr')) {
    row.hidden = query !== '' && !row.textContent.toLowerCase().includes(query);
  }
}

function swapIn(text) {
  const template = document.createElement('template');
  template.innerHTML = text;
  for (const fresh of [...template.content.children]) {
    const current = fresh.id && document.getElementById(fresh.id);
    if (current) current.replaceWith(fresh);
  }
}

async function refresh() {
  try {
    // The catalogue comes back only when it changed since the one shown.
    const shown = document.getElementById('catalogue-table').dataset.generation;
    const url = body.dataset.live + '?catalogue=' + encodeURIComponent(shown);
    const response = await fetch(url, { cache: 'no-store', credentials: 'same-origin' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    swapIn(await response.text());
    filterCatalogue();
    if (connection.textContent) connection.textContent = '';
  } catch (error) {
    connection.textContent = 'Cannot refresh (' + error.message + '); trying again.';
  } finally {
    setTimeout(refresh, every);
  }
}

search.addEventListener('input', filterCatalogue);
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const response = await fetch(form.action, {
    method: 'POST',
    body: new URLSearchParams(new FormData(form)),
    credentials: 'same-origin',
  });
  const text = await response.text();
  if (response.ok) swapIn(text);
  else document.getElementById('who-result').textContent = text;
  document.querySelector('#who-result h3')?.focus();
});
setTimeout(refresh, every);
`;
