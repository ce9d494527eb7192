/** The `audit:` section: implied loading, defaults, and one-line errors naming the key to fix. */
import { describe, expect, it } from 'vitest';
import { planError, planYaml, pluginNames, yaml } from '../../test/loader/temp-plan.ts';

const servers = ['proxy:', '  servers:', '    - name: n8n', '      type: stdio', '      connection: { command: node }'];
const auditOptions = async (...lines: string[]) =>
  (await planYaml(yaml(...lines, ...servers))).plugins.find((p) => p.definition.name === 'audit')?.options;

describe('loading', () => {
  it('is implied by an audit: section, after permissions and before the transports', async () => {
    const names = pluginNames(await planYaml(yaml('auth: {}', 'audit: {}', ...servers)));
    expect(names.indexOf('audit')).toBeGreaterThan(names.indexOf('permissions'));
    expect(names.indexOf('audit')).toBeLessThan(names.indexOf('stdio'));
    expect(pluginNames(await planYaml(yaml(...servers)))).not.toContain('audit');
  });

  it('defaults to stdout, without arguments, with a queue of 10 000 (an empty section too)', async () => {
    const defaults = { sink: { type: 'stdout' }, include_arguments: false, max_queue: 10_000 };
    expect(await auditOptions('audit: {}')).toEqual(defaults);
    expect(await auditOptions('audit:')).toEqual(defaults);
  });

  it('reads a file sink and an http sink with their defaults and durations', async () => {
    expect(await auditOptions('audit:', '  sink: file', '  file: { path: logs/audit.jsonl }')).toMatchObject({
      sink: { type: 'file', path: 'logs/audit.jsonl' },
    });
    expect(
      await auditOptions(
        'audit:',
        '  sink: http',
        '  include_arguments: true',
        '  max_queue: 50',
        '  http: { url: "https://siem.example.com/in" }',
      ),
    ).toEqual({
      include_arguments: true,
      max_queue: 50,
      sink: {
        type: 'http',
        url: 'https://siem.example.com/in',
        batch_size: 100,
        flush_interval: 1000,
        timeout: 10_000,
        retries: 3,
        retry_backoff: 1000,
      },
    });
    const http = [
      'audit:',
      '  sink: http',
      '  http:',
      '    url: http://127.0.0.1:9/x',
      '    token_env: AUDIT_TOKEN',
      '    batch_size: 5',
    ];
    expect(
      await auditOptions(
        ...http,
        '    flush_interval: 1m30s',
        '    timeout: 250ms',
        '    retries: 0',
        '    retry_backoff: 2s',
      ),
    ).toMatchObject({
      sink: {
        type: 'http',
        token_env: 'AUDIT_TOKEN',
        batch_size: 5,
        flush_interval: 90_000,
        timeout: 250,
        retries: 0,
        retry_backoff: 2000,
      },
    });
  });
});

describe('errors', () => {
  it('suggests the spelling of a misspelt key, in the section and in a sink', async () => {
    expect(await planError(yaml('audit:', '  include_argument: true', ...servers))).toMatchObject({
      code: 'GW_ERR_PLUGIN_OPTIONS',
      path: 'audit.include_argument',
      line: 2,
      fix: 'did you mean "include_arguments"?',
    });
    expect(
      await planError(
        yaml('audit:', '  sink: http', '  http:', '    url: http://x.example', '    batch_sise: 3', ...servers),
      ),
    ).toMatchObject({
      path: 'audit.http.batch_sise',
      fix: 'did you mean "batch_size"?',
    });
  });

  it('names the sinks there are', async () => {
    const error = await planError(yaml('audit:', '  sink: syslog', ...servers));
    expect(error).toMatchObject({ path: 'audit.sink', fix: 'use one of "stdout", "file", "http"' });
  });

  it('asks for the settings of the chosen sink, and refuses those of another', async () => {
    expect(await planError(yaml('audit:', '  sink: file', ...servers))).toMatchObject({
      path: 'audit.file',
      message: 'is required when sink is "file"',
    });
    expect(await planError(yaml('audit:', '  sink: http', ...servers))).toMatchObject({
      path: 'audit.http',
      message: 'is required when sink is "http"',
    });
    expect(await planError(yaml('audit:', '  file: { path: a.jsonl }', ...servers))).toMatchObject({
      path: 'audit.file',
      message: 'is set but sink is "stdout"',
      fix: 'set sink: file, or remove audit.file',
    });
  });

  it('refuses a URL that is not http(s), a bad variable name, a queue of 0', async () => {
    expect(
      await planError(yaml('audit:', '  sink: http', '  http: { url: "ftp://x.example/a" }', ...servers)),
    ).toMatchObject({ path: 'audit.http.url' });
    expect(
      await planError(
        yaml('audit:', '  sink: http', '  http: { url: "http://x.example", token_env: "MY-TOKEN" }', ...servers),
      ),
    ).toMatchObject({
      path: 'audit.http.token_env',
    });
    expect(await planError(yaml('audit:', '  max_queue: 0', ...servers))).toMatchObject({ path: 'audit.max_queue' });
  });
});
