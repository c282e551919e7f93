// Tools with no business data, for tests, benchmarks and checking that an agent's connection works.
import { Injectable } from '@nestjs/common';
import { McpTool } from '../mcp-tool.decorator';

@Injectable()
export class DiagnosticsTools {
  @McpTool({
    name: 'echo',
    title: 'Echo',
    description: 'Returns the text it is given, unchanged. Use it to check that the connection to Toolgate works.',
    inputSchema: {
      type: 'object',
      properties: { text: { type: 'string', maxLength: 10_000, description: 'Any text, up to 10,000 characters; it comes back as it is.' } },
      required: ['text'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: { text: { type: 'string', description: 'The text that was sent.' } },
      required: ['text'],
      additionalProperties: false,
    },
    annotations: { title: 'Echo', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  })
  async echo(args: Record<string, unknown>): Promise<{ text: string }> {
    return { text: String(args.text ?? '') };
  }
}
