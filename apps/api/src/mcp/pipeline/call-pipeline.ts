// tools/call, one readable chain: resolve → authorize → limit → validate → execute → shape → record.
// (Authentication happens before: the transport refuses a request without a valid key.)
import { Injectable, Logger } from '@nestjs/common';
import type { CallOutcome } from '@toolgate/contracts';
import type { ToolResult } from '../../builtin-tools/mcp-tool.decorator';
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

  constructor(
    private readonly resolver: ResolveTool,
    private readonly limits: GroupRateLimits,
    private readonly validator: ArgumentValidator,
    private readonly executor: ExecuteTool,
    private readonly recorder: RecordCall,
  ) {}

  /** Answers a tools/call with a tool result, or throws an RpcException; either way its log row is committed first. */
  async call(ctx: CallContext, params: Record<string, unknown>): Promise<ToolResult> {
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
    try {
      const tool = await this.resolver.resolve(ctx.caller, params.name);
      rec.tool = tool;
      await this.limit(ctx);
      const args = this.validate(tool, params.arguments);
      rec.arguments = args;
      const execution = await this.executor.execute(tool, args, ctx);
      rec.upstreamDurationMs = execution.upstreamDurationMs;
      const result = shapeResult(tool, execution.result);
      rec.result = result;
      rec.outcome = result.isError ? 'tool_error' : 'ok';
      answer = result;
    } catch (err) {
      answer = this.refusalAnswer(err, rec, ctx);
    }
    await this.recorder.record(ctx, rec);
    if (answer instanceof RpcException) throw answer;
    return answer;
  }

  private async limit(ctx: CallContext): Promise<void> {
    const refusal = await this.limits.check(ctx.caller.group, ctx.caller.key.id);
    if (refusal) {
      throw new CallRefusal('rate_limited', 'RATE_LIMITED', refusal.message, 'rpc-error', RpcCode.RATE_LIMITED, {
        retryAfterSeconds: refusal.retryAfterSeconds,
      });
    }
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
