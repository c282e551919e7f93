// Step: run the tool under its timeout, cancelled when the client goes away.
import { Injectable } from '@nestjs/common';
import { BuiltinToolRegistry } from '../../builtin-tools/builtin-tool-registry';
import type { ToolResult } from '../../builtin-tools/mcp-tool.decorator';
import { SourceInvoker } from '../../sources/source-invoker.service';
import { UpstreamError } from '../../sources/upstream/upstream.types';
import type { ExposedTool } from '../catalog/group-catalog.service';
import { AppException } from '../../common/errors/app-exception';
import { CallContext, CallRefusal } from './call-types';
import { Cancelled, DeadlineExceeded, runWithDeadline, WorkScope } from './deadline';

export interface Execution {
  result: ToolResult;
  /** Time spent in the tool itself (the upstream, for proxied tools). */
  upstreamDurationMs: number;
}

@Injectable()
export class ExecuteTool {
  constructor(
    private readonly builtins: BuiltinToolRegistry,
    private readonly upstreams: SourceInvoker,
  ) {}

  async execute(tool: ExposedTool, args: Record<string, unknown>, ctx: CallContext): Promise<Execution> {
    const started = performance.now();
    try {
      const result = await runWithDeadline((scope) => this.invoke(tool, args, ctx, scope), tool.timeoutSeconds * 1000, ctx.cancellation);
      return { result, upstreamDurationMs: Math.round(performance.now() - started) };
    } catch (err) {
      if (err instanceof DeadlineExceeded) {
        throw new CallRefusal('timeout', 'TIMEOUT', `Tool "${tool.name}" did not finish within ${tool.timeoutSeconds} s and was cancelled.`, 'tool-error');
      }
      if (err instanceof Cancelled || (err instanceof UpstreamError && err.code === 'CANCELLED' && ctx.cancellation.aborted)) {
        throw new CallRefusal('cancelled', 'CANCELLED', `The call to "${tool.name}" was cancelled by the client.`, 'tool-error');
      }
      if (err instanceof UpstreamError) {
        // Clear and immediate: the message names the source and, for an open breaker, when it will be tried again.
        const outcome = err.code === 'TIMEOUT' ? 'timeout' : 'upstream_error';
        throw new CallRefusal(outcome, `UPSTREAM_${err.code}`, `Tool "${tool.name}" failed: ${err.message.replace(/\.$/, '')}.`, 'tool-error');
      }
      if (err instanceof AppException && err.code === 'SOURCE_UNAVAILABLE') {
        throw new CallRefusal('upstream_error', 'UPSTREAM_UNAVAILABLE', `Tool "${tool.name}" failed: ${err.message}`, 'tool-error');
      }
      throw err;
    }
  }

  private invoke(tool: ExposedTool, args: Record<string, unknown>, ctx: CallContext, scope: WorkScope): Promise<ToolResult> {
    switch (tool.sourceKind) {
      case 'builtin': {
        const builtin = this.builtins.get(tool.originalName);
        if (!builtin) {
          throw new CallRefusal('error', 'TOOL_UNAVAILABLE', `Tool "${tool.name}" is not available on this server version.`, 'tool-error');
        }
        return builtin.invoke(args, {
          tenantId: ctx.caller.key.tenantId,
          groupId: ctx.caller.group.id,
          apiKeyId: ctx.caller.key.id,
          toolId: tool.toolId,
          configData: tool.configData,
          // Made when the tool first looks at it: most tools never do.
          get signal() {
            return scope.signal;
          },
          requestId: ctx.requestId,
          progress: ctx.progress ?? (() => undefined),
        });
      }
      case 'mcp_stdio':
      case 'mcp_http':
      case 'mcp_sse':
      case 'http':
        return this.upstreams.call(ctx.caller.key.tenantId, tool, args, {
          signal: scope.signal,
          timeoutMs: tool.timeoutSeconds * 1000,
          onProgress: ctx.progress,
        });
    }
  }
}
