/** What an upstream's error text loses before it is shown. */
import { expect, it } from 'vitest';
import { redactSecrets } from './redact.ts';

it('cuts credentials out of URLs, authorization values and key=value pairs', () => {
  expect(redactSecrets('fetch https://user:pw@api.example/mcp?key=abc123#x failed')).toBe(
    'fetch https://api.example/mcp#x failed',
  );
  expect(redactSecrets('401: Bearer eyJhbGciOi.payload.sig refused')).toBe('401: Bearer [redacted] refused');
  expect(redactSecrets('bad request: {"client_secret": "hunter2", "token=abc"}')).toBe(
    'bad request: {"client_secret": "[redacted]", "token=[redacted]"}',
  );
  expect(redactSecrets('connect ECONNREFUSED 127.0.0.1:9')).toBe('connect ECONNREFUSED 127.0.0.1:9');
});
