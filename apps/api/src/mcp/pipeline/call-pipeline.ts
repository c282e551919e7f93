// tools/call, one readable chain: resolve → authorize → limit → validate → execute → shape → record.
// (Authentication happens before: the transport refuses a request without a valid key.)
import { Injectable, Logger } from '@nestjs/common';
import type { CallOutcome } from '@toolgate/contracts';
import type { ToolResult } from '../../builtin-tools/mcp-tool.decorator';
import type { ExposedTool } from '../catalog/group-catalog.service';
import { RpcCode, RpcException } from '../protocol/jsonrpc';
import { ArgumentValidator } from './argument-validator';
import { CallContext, CallRecord, CallRefusal } from './call-types';
import { ExecuteTool } from './execute-tool';
import { GroupRateLimits } from './rate-limiter';
import { RecordCall } from './record-call';
import { ResolveTool } from './resolve-tool';
import { shapeResult, toolError } from './shape-result';

@Injectable()
export class CallPipeline {
  private readonly logger = new Logger(CallPipeline.name);
  private active = 0;

  constructor(
    private readonly resolver: ResolveTool,
    private readonly limits: GroupRateLimits,
    private readonly validator: ArgumentValidator,
    private readonly executor: ExecuteTool,
    private readonly recorder: RecordCall,
  ) {}

  /** Calls between their start and their committed log row: a graceful shutdown waits for them. */
  get inFlight(): number {
    return this.active;
  }

  /** Answers a tools/call with a tool result, or throws an RpcException; either way its log row is committed first. */
  async call(ctx: CallContext, params: Record<string, unknown>): Promise<ToolResult> {
    this.active++;
    try {
      return await this.run(ctx, params);
    } finally {
      this.active--;
    }
  }

  private async run(ctx: CallContext, params: Record<string, unknown>): Promise<ToolResult> {
    const rec: CallRecord = {
      tool: null,
      requestedName: typeof params.name === 'string' ? params.name.slice(0, 200) : null,
      arguments: params.arguments ?? null,
      result: null,
      outcome: 'error',
      errorCode: null,
      upstreamDurationMs: null,
    };
    let answer: ToolResult | RpcException;
    let release: (() => void) | undefined;
    try {
      const tool = await this.resolver.resolve(ctx.caller, params.name);
      rec.tool = tool;
      release = await this.limit(ctx, tool);
      const args = this.validate(tool, params.arguments);
      rec.arguments = args;
      const execution = await this.executor.execute(tool, args, ctx);
      rec.upstreamDurationMs = execution.upstreamDurationMs;
      const result = this.checkOutput(tool, shapeResult(tool, execution.result));
      rec.result = result;
      rec.outcome = result.isError ? 'tool_error' : 'ok';
      answer = result;
    } catch (err) {
      answer = this.refusalAnswer(err, rec, ctx);
    }
    // The call no longer runs: its concurrency slots are free before the log write.
    release?.();
    await this.recorder.record(ctx, rec);
    if (answer instanceof RpcException) throw answer;
    return answer;
  }

  /** A result that contradicts the tool's own output schema is not passed on as if it were valid. */
  private checkOutput(tool: ExposedTool, result: ToolResult): ToolResult {
    if (!tool.outputSchema || result.isError || result.structuredContent === undefined) return result;
    const problem = this.validator.checkOutput({ id: tool.toolId, schemaHash: tool.schemaHash, outputSchema: tool.outputSchema }, result.structuredContent);
    if (!problem) return result;
    throw new CallRefusal('tool_error', 'OUTPUT_SCHEMA_MISMATCH', `Tool "${tool.name}" returned a result that does not match its output schema: ${problem}`, 'tool-error');
  }

  /** Rate limits and quotas, and the caps on calls in flight; answers what frees this call's slots, if it took any. */
  private async limit(ctx: CallContext, tool: ExposedTool): Promise<(() => void) | undefined> {
    const source = tool.sourceMaxConcurrent ? { id: tool.sourceId, maxConcurrent: tool.sourceMaxConcurrent } : null;
    // A slot's lease outlives the call's own deadline, so only a crashed replica's slots ever expire.
    const verdict = await this.limits.check(ctx.caller.group, ctx.caller.key, Date.now(), source, (tool.timeoutSeconds + 60) * 1000);
    if (!verdict) return undefined;
    if ('release' in verdict) return verdict.release;
    throw new CallRefusal('rate_limited', 'RATE_LIMITED', verdict.message, 'rpc-error', RpcCode.RATE_LIMITED, {
      retryAfterSeconds: verdict.retryAfterSeconds,
      limit: verdict.limit,
    });
  }

  private validate(tool: { toolId: string; schemaHash: string; inputSchema: Record<string, unknown>; name: string }, args: unknown): Record<string, unknown> {
    const v = this.validator.validate({ id: tool.toolId, schemaHash: tool.schemaHash, inputSchema: tool.inputSchema }, args);
    if (v.ok) return v.args;
    throw new CallRefusal('invalid_arguments', 'INVALID_ARGUMENTS', `Invalid arguments for "${tool.name}": ${v.message}`, 'tool-error');
  }

  private refusalAnswer(err: unknown, rec: CallRecord, ctx: CallContext): ToolResult | RpcException {
    if (err instanceof CallRefusal) {
      rec.outcome = err.outcome as CallOutcome;
      rec.errorCode = err.errorCode;
      if (err.as === 'rpc-error') return new RpcException(err.rpcCode ?? RpcCode.INVALID_PARAMS, err.message, err.data);
      rec.result = toolError(err.message);
      return rec.result;
    }
    // A bug or an unexpected failure inside a tool: the agent gets a clear isError, the log gets the details.
    this.logger.error({ err, requestId: ctx.requestId, tool: rec.tool?.name }, 'tool failed unexpectedly');
    rec.outcome = 'error';
    rec.errorCode = 'TOOL_FAILED';
    rec.result = toolError(`Tool "${rec.tool?.name ?? rec.requestedName}" failed unexpectedly. Quote request id ${ctx.requestId} when reporting it.`);
    return rec.result;
  }
}
