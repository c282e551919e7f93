// Step: make a tool's result what MCP clients expect, whatever the tool returned.
import type { ToolResult } from '../../builtin-tools/mcp-tool.decorator';
import type { ExposedTool } from '../catalog/group-catalog.service';

export function shapeResult(tool: ExposedTool, result: ToolResult): ToolResult {
  const content = Array.isArray(result.content) ? result.content : [];
  const shaped: ToolResult = { content, isError: result.isError === true };
  if (result.structuredContent && typeof result.structuredContent === 'object') {
    shaped.structuredContent = result.structuredContent;
    // Clients that ignore structuredContent still see the data (the spec asks for both).
    if (content.length === 0) shaped.content = [{ type: 'text', text: JSON.stringify(result.structuredContent) }];
  } else if (tool.outputSchema && !shaped.isError) {
    // A tool with an output schema must return structured content; say so instead of sending an invalid result.
    return toolError(`Tool "${tool.name}" returned no structured result although it declares an output schema.`);
  }
  return shaped;
}

export function toolError(message: string): ToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}
