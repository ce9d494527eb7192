import type { OperationEvent } from 'mcp-gateway';
import { expect, it } from 'vitest';
import { auditRecord } from './record.ts';

const event: OperationEvent = {
  type: 'operation',
  requestId: 'r1',
  sessionId: undefined,
  endpoint: 'default',
  method: 'tools/call',
  requested: { kind: 'tool', exposed: 'github__create_issue' },
  target: { kind: 'tool', server: 'github', name: 'create_issue', exposed: 'github__create_issue' },
  outcome: 'success',
  reason: undefined,
  error: undefined,
  durationMs: 1.234,
  subject: 'ada',
  arguments: { title: 't' },
  state: {},
};

it('a call made through a served tool names it; a direct call has no via', () => {
  const via = { kind: 'tool', server: 'tool-search', name: 'call_tool', exposed: 'call_tool' } as const;
  const record = auditRecord({ ...event, via }, { includeArguments: false });
  expect(record).toMatchObject({ server: 'github', name: 'create_issue', via: 'call_tool', subject: 'ada' });
  expect(auditRecord(event, { includeArguments: false })).not.toHaveProperty('via');
});
