// For tests and benchmarks that invoke builtin tools directly, without the gateway.
import { randomUUID } from 'node:crypto';
import { ToolContext } from './mcp-tool.decorator';

export function testToolContext(tenantId: string, overrides: Partial<ToolContext> = {}): ToolContext {
  return {
    tenantId,
    groupId: randomUUID(),
    apiKeyId: randomUUID(),
    toolId: randomUUID(),
    configData: {},
    signal: new AbortController().signal,
    requestId: `test-${randomUUID()}`,
    progress: () => undefined,
    ...overrides,
  };
}
