/**
 * MCP Apps behind the gateway: a tool names its App's `ui://` resource in `_meta`, and when two
 * servers use the same `ui://` URI the second one's is qualified inside the `ui://` scheme (a
 * host renders only `ui://` resources), in the resource list, in its tool's `_meta`, and in what
 * reading it returns, so that each tool's App is read from the server that owns it.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

const view = 'ui://board/view.html';

/** A server with an App: a tool whose `_meta` names the App's resource both ways, and the resource. */
function appServer(name: string) {
  return () => {
    const server = new McpServer({ name, version: '1.0.0' });
    server.registerResource('view', view, { mimeType: 'text/html;profile=mcp-app' }, async (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'text/html;profile=mcp-app', text: `<p>${name}</p>` }],
    }));
    server.registerTool(
      'show',
      {
        description: 'Shows the board',
        _meta: { ui: { resourceUri: view, visibility: ['model'] }, 'ui/resourceUri': view },
      },
      async () => ({ content: [{ type: 'text', text: name }] }),
    );
    return server;
  };
}

let gateway: TestGateway;
let client: Client;

beforeAll(async () => {
  gateway = await startTestGateway({ servers: { first: appServer('first'), second: appServer('second') } });
  client = await gateway.connect();
});
afterAll(async () => {
  await client?.close();
  await gateway?.close();
});

it('names each tool’s App by a ui:// URI that reads that server’s App', async () => {
  const { tools } = await client.listTools();
  type AppMeta = { ui: { resourceUri: string } };
  const appOf = Object.fromEntries(tools.map((tool) => [tool.name, tool._meta as AppMeta]));
  expect(appOf.first__show).toEqual({ ui: { resourceUri: view, visibility: ['model'] }, 'ui/resourceUri': view });
  expect(appOf.second__show).toEqual({
    ui: { resourceUri: 'ui://second+board/view.html', visibility: ['model'] },
    'ui/resourceUri': 'ui://second+board/view.html',
  });
  const { resources } = await client.listResources();
  expect(resources.map((resource) => resource.uri)).toEqual([view, 'ui://second+board/view.html']);
  for (const [server, meta] of Object.entries(appOf)) {
    const uri = meta.ui.resourceUri;
    const { contents } = await client.readResource({ uri });
    expect(contents).toEqual([{ uri, mimeType: 'text/html;profile=mcp-app', text: `<p>${server.split('__')[0]}</p>` }]);
  }
});

it('refuses a ui:// URI qualified with a server that does not exist', async () => {
  await expect(client.readResource({ uri: 'ui://third+board/view.html' })).rejects.toThrow(/Unknown resource/);
});
