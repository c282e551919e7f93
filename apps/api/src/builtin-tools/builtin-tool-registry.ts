// Finds every @McpTool method at boot, checks the definitions once, and calls the methods with normalised results.
import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import Ajv2020 from 'ajv/dist/2020';
import { MCP_TOOL, McpToolDefinition, ToolContext, ToolError, ToolMethod, ToolResult } from './mcp-tool.decorator';

export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,128}$/;

/**
 * The Anthropic and OpenAI APIs reject a tool whose input schema has these at the top level, and with it the agent's
 * whole tool list; a tool states such rules in its descriptions and checks them itself.
 */
const TOP_LEVEL_FORBIDDEN = ['oneOf', 'anyOf', 'allOf', 'not', 'enum'];

/** The bounds the `tools.timeout_seconds` column accepts. */
const MAX_TIMEOUT_SECONDS = 3600;

export interface BuiltinTool {
  readonly definition: McpToolDefinition;
  /** Runs the tool. Expected failures (ToolError) come back as `isError` results; anything else is thrown. */
  invoke(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult>;
}

/** Where a definition was found, for error messages. */
interface FoundTool {
  definition: McpToolDefinition;
  owner: string;
  method: ToolMethod;
}

@Injectable()
export class BuiltinToolRegistry implements OnModuleInit {
  private tools?: Map<string, BuiltinTool>;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    this.load();
  }

  /** Every builtin tool definition, by name. */
  definitions(): McpToolDefinition[] {
    return [...this.load().values()].map((t) => t.definition);
  }

  /** The tool with this name, or undefined when no provider declares it. */
  get(name: string): BuiltinTool | undefined {
    return this.load().get(name);
  }

  /** Discovery runs once; a caller that needs the tools before this module's init hook still gets them. */
  private load(): Map<string, BuiltinTool> {
    if (!this.tools) {
      const found = this.discover();
      assertValidDefinitions(found);
      this.tools = new Map(
        found.sort((a, b) => compare(a.definition.name, b.definition.name)).map((f) => [f.definition.name, toBuiltinTool(f.definition, f.method)]),
      );
    }
    return this.tools;
  }

  private discover(): FoundTool[] {
    const found: FoundTool[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      // Request-scoped and transient providers have no single instance to call; tools are plain singletons.
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object | null;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = instance[methodName] as ToolMethod;
        const definition = this.reflector.get<McpToolDefinition | undefined>(MCP_TOOL, method);
        if (definition) found.push({ definition, owner: `${instance.constructor.name}.${methodName}`, method: method.bind(instance) });
      }
    }
    return found;
  }
}

function toBuiltinTool(definition: McpToolDefinition, method: ToolMethod): BuiltinTool {
  return {
    definition,
    // A call cancelled before it started does no work at all: the pipeline's deadline (runWithDeadline) never
    // starts it. No check of ctx.signal here, which would make that signal for every call.
    async invoke(args, ctx) {
      try {
        return toToolResult(definition.name, await method(args, ctx));
      } catch (err) {
        if (err instanceof ToolError) return { content: [{ type: 'text', text: err.message }], isError: true };
        throw err;
      }
    },
  };
}

/** A ToolResult passes through; a plain object becomes structuredContent plus its JSON as text. */
export function toToolResult(toolName: string, value: unknown): ToolResult {
  if (isToolResult(value)) return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    return { content: [{ type: 'text', text: JSON.stringify(obj) }], structuredContent: obj };
  }
  throw new Error(`Builtin tool "${toolName}" returned ${Array.isArray(value) ? 'an array' : typeof value}; it must return a ToolResult or a plain object.`);
}

function isToolResult(value: unknown): value is ToolResult {
  if (!value || typeof value !== 'object') return false;
  const { content } = value as { content?: unknown };
  return Array.isArray(content) && content.every((c) => !!c && typeof c === 'object' && typeof (c as { type?: unknown }).type === 'string');
}

/** Stops the boot with every problem at once, each naming the class and method that declares it. */
export function assertValidDefinitions(found: readonly { definition: McpToolDefinition; owner: string }[]): void {
  const problems: string[] = [];
  const owners = new Map<string, string>();
  const ajv = new Ajv2020({ logger: false });
  for (const { definition: d, owner } of found) {
    const say = (msg: string) => problems.push(`${owner} (${JSON.stringify(d.name)}): ${msg}`);
    if (typeof d.name !== 'string' || !TOOL_NAME_PATTERN.test(d.name)) say(`the name must match ${TOOL_NAME_PATTERN}`);
    const earlier = owners.get(d.name);
    if (earlier) say(`the name is already declared by ${earlier}`);
    else owners.set(d.name, owner);
    if (typeof d.description !== 'string' || !d.description.trim()) say('a description is required');
    for (const [key, schema] of [
      ['inputSchema', d.inputSchema],
      ['outputSchema', d.outputSchema],
    ] as const) {
      if (schema === undefined && key === 'outputSchema') continue;
      if (!schema || typeof schema !== 'object' || Array.isArray(schema) || schema.type !== 'object') {
        say(`${key} must be a JSON Schema with "type": "object"`);
      } else if (key === 'inputSchema' && TOP_LEVEL_FORBIDDEN.some((k) => k in schema)) {
        say(`inputSchema must not use ${TOP_LEVEL_FORBIDDEN.join('/')} at the top level (model APIs refuse such tools); check the combination in the tool`);
      } else if (!ajv.validateSchema(schema)) {
        say(`${key} is not a valid JSON Schema: ${ajv.errorsText(ajv.errors)}`);
      }
    }
    const timeout = d.timeoutSeconds;
    if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMEOUT_SECONDS)) {
      say(`timeoutSeconds must be a whole number from 1 to ${MAX_TIMEOUT_SECONDS}`);
    }
    if (d.redactionPaths !== undefined && (!Array.isArray(d.redactionPaths) || d.redactionPaths.some((p) => typeof p !== 'string' || !p))) {
      say('redactionPaths must be a list of non-empty dot paths');
    }
  }
  if (problems.length) throw new Error(`Invalid @McpTool definitions:\n  ${problems.join('\n  ')}`);
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
