// Code-defined tools (the PRD's @mcp_tool): decorate a provider method; the schema is written once, here.
import { SetMetadata } from '@nestjs/common';

export const MCP_TOOL = 'toolgate:mcp-tool';

export interface McpToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface McpToolDefinition {
  /** Unique among builtin tools: letters, digits, `_`, `-`, `.`. */
  name: string;
  title?: string;
  description: string;
  /** JSON Schema (draft 2020-12 subset ajv understands) describing every argument. */
  inputSchema: Record<string, unknown>;
  /** When set, results carry `structuredContent` matching it. */
  outputSchema?: Record<string, unknown>;
  annotations?: McpToolAnnotations;
  /** Default timeout; an admin can change it per tool and per group. */
  timeoutSeconds?: number;
  /** Extra argument/result paths masked in call logs (`a.b`, `*` for any key). */
  redactionPaths?: string[];
}

/** What a tool method receives besides its validated arguments. */
export interface ToolContext {
  tenantId: string;
  groupId: string;
  apiKeyId: string;
  toolId: string;
  /** The tool's `config_data`, as set by an admin. */
  configData: Record<string, unknown>;
  /** Aborted on timeout or when the client cancels or disconnects. */
  signal: AbortSignal;
  requestId: string;
  /** Reports progress to the client when it asked for it; a no-op otherwise. */
  progress(progress: number, total?: number, message?: string): void;
}

/** MCP content blocks a tool may return (text and JSON are all the builtin tools need). */
export type ToolContent = { type: 'text'; text: string } | { type: 'image'; data: string; mimeType: string };

export interface ToolResult {
  content: ToolContent[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/**
 * An expected failure the agent should see and may act on (not found, invalid state): answered as an
 * `isError: true` result, not a protocol error.
 */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly code = 'TOOL_ERROR',
  ) {
    super(message);
  }
}

/** A tool method returns a full ToolResult, or a plain object that becomes structuredContent plus its JSON text. */
export type ToolMethod = (args: Record<string, unknown>, ctx: ToolContext) => Promise<ToolResult | Record<string, unknown>>;

export const McpTool = (definition: McpToolDefinition) => SetMetadata(MCP_TOOL, definition);
