import 'reflect-metadata';
import { Injectable, Module, Scope, Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { BuiltinToolRegistry } from './builtin-tool-registry';
import { McpTool, McpToolDefinition, ToolError, ToolResult } from './mcp-tool.decorator';
import { testToolContext } from './tool-context.testing';

const obj = { type: 'object', properties: {} };
const def = (over: Partial<McpToolDefinition>): McpToolDefinition => ({ name: 'x', description: 'd', inputSchema: obj, ...over });

@Injectable()
class ShapeTools {
  @McpTool(def({ name: 'plain' }))
  async plain(args: Record<string, unknown>) {
    return { got: args.v ?? null };
  }

  @McpTool(def({ name: 'full' }))
  async full(): Promise<ToolResult> {
    return { content: [{ type: 'text', text: 'as is' }], isError: false };
  }

  @McpTool(def({ name: 'expected_failure' }))
  async expectedFailure(): Promise<never> {
    throw new ToolError('Order 7 not found.', 'NOT_FOUND');
  }

  @McpTool(def({ name: 'bug' }))
  async bug(): Promise<never> {
    throw new TypeError('boom');
  }

  @McpTool(def({ name: 'array' }))
  async array() {
    return [1, 2] as unknown as Record<string, unknown>;
  }

  /** Not a tool: undecorated methods are ignored. */
  async helper() {
    return {};
  }
}

/** Request-scoped providers have no single instance; the registry skips them rather than failing. */
@Injectable({ scope: Scope.REQUEST })
class ScopedTools {
  @McpTool(def({ name: 'scoped' }))
  async scoped() {
    return {};
  }
}

async function registryWith(...providers: Type[]): Promise<BuiltinToolRegistry> {
  @Module({ imports: [DiscoveryModule], providers: [BuiltinToolRegistry, ...providers] })
  class Root {}
  const app = (await Test.createTestingModule({ imports: [Root] }).compile()).createNestApplication({ logger: false });
  await app.init();
  return app.get(BuiltinToolRegistry);
}

describe('BuiltinToolRegistry', () => {
  let registry: BuiltinToolRegistry;
  const ctx = testToolContext('00000000-0000-4000-8000-000000000001');

  beforeAll(async () => {
    registry = await registryWith(ShapeTools, ScopedTools);
  });

  it('discovers decorated methods of singleton providers, sorted by name', () => {
    expect(registry.definitions().map((d) => d.name)).toEqual(['array', 'bug', 'expected_failure', 'full', 'plain']);
    expect(registry.get('helper')).toBeUndefined();
    expect(registry.get('nope')).toBeUndefined();
  });

  it('turns a plain object into structuredContent plus its JSON text', async () => {
    expect(await registry.get('plain')!.invoke({ v: 'é' }, ctx)).toEqual({ content: [{ type: 'text', text: '{"got":"é"}' }], structuredContent: { got: 'é' } });
  });

  it('passes a ToolResult through unchanged', async () => {
    expect(await registry.get('full')!.invoke({}, ctx)).toEqual({ content: [{ type: 'text', text: 'as is' }], isError: false });
  });

  it('answers a ToolError as an isError result with its message', async () => {
    expect(await registry.get('expected_failure')!.invoke({}, ctx)).toEqual({ content: [{ type: 'text', text: 'Order 7 not found.' }], isError: true });
  });

  it('lets other errors propagate, and refuses results that are not objects', async () => {
    await expect(registry.get('bug')!.invoke({}, ctx)).rejects.toThrow(TypeError);
    await expect(registry.get('array')!.invoke({}, ctx)).rejects.toThrow(/"array" returned an array/);
  });

  // A call cancelled before it starts never reaches invoke: runWithDeadline refuses it (deadline.spec.ts,
  // "does not start the work when the outer signal is already aborted").
});

describe('BuiltinToolRegistry validation stops the boot', () => {
  const bootWith = (...defs: McpToolDefinition[]) => {
    @Injectable()
    class Bad {}
    defs.forEach((d, i) => {
      const method = async () => ({});
      Object.defineProperty(Bad.prototype, `m${i}`, { value: method, writable: true, configurable: true });
      McpTool(d)(Bad.prototype, `m${i}`, Object.getOwnPropertyDescriptor(Bad.prototype, `m${i}`)!);
    });
    return registryWith(Bad);
  };

  it('on a duplicate name, naming both declarations', async () => {
    await expect(bootWith(def({ name: 'same' }), def({ name: 'same' }))).rejects.toThrow(/Bad\.m1 \("same"\): the name is already declared by Bad\.m0/);
  });

  it('on a name outside the allowed pattern', async () => {
    await expect(bootWith(def({ name: 'has space' }))).rejects.toThrow(/"has space".*must match/);
    await expect(bootWith(def({ name: 'a'.repeat(129) }))).rejects.toThrow(/must match/);
  });

  it('on an input or output schema that is not an object schema, or not valid JSON Schema', async () => {
    await expect(bootWith(def({ inputSchema: { type: 'string' } }))).rejects.toThrow(/inputSchema must be a JSON Schema with "type": "object"/);
    await expect(bootWith(def({ outputSchema: { type: 'array' } }))).rejects.toThrow(/outputSchema must be a JSON Schema with "type": "object"/);
    await expect(bootWith(def({ inputSchema: { type: 'object', properties: { a: { type: 'strng' } } } }))).rejects.toThrow(/inputSchema is not a valid JSON Schema/);
  });

  it('on a top-level oneOf/anyOf, which model APIs refuse', async () => {
    await expect(bootWith(def({ inputSchema: { type: 'object', anyOf: [{ required: ['a'] }] } }))).rejects.toThrow(/must not use oneOf\/anyOf/);
  });

  it('on a timeout outside 1..3600 seconds or a missing description, listing every problem at once', async () => {
    const err = await bootWith(def({ name: 'a', timeoutSeconds: 0 }), def({ name: 'b', description: ' ' })).catch((e: Error) => e);
    expect(String(err)).toMatch(/Invalid @McpTool definitions:\n {2}Bad\.m0 \("a"\): timeoutSeconds must be a whole number from 1 to 3600\n {2}Bad\.m1 \("b"\): a description is required/);
  });
});
