// MCP methods, the same for every transport and revision: the transport decides the era and session,
// this decides what each method answers.
import type { CallCancellation } from '../pipeline/deadline';
import { Injectable } from '@nestjs/common';
import type { ExposedTool } from '../catalog/group-catalog.service';
import { CallPipeline } from '../pipeline/call-pipeline';
import type { CallContext, Caller } from '../pipeline/call-types';
import { ResolveTool } from '../pipeline/resolve-tool';
import { AppConfigService } from '../../config/app-config.service';
import type { McpSession, SessionStore } from '../sessions/session-store';
import { RpcCode, RpcException, RpcRequest } from './jsonrpc';
import { META, negotiateSessionVersion, STATELESS_VERSIONS } from './versions';

export type Era = 'session' | 'stateless';

export interface DispatchContext {
  era: Era;
  caller: Caller;
  session: McpSession | null;
  sessions: SessionStore;
  requestId: string;
  callerIp: string | null;
  clientName: string | null;
  clientVersion: string | null;
  /** The client's cancellation of this request (it went away, or sent notifications/cancelled). */
  cancellation: CallCancellation;
  progress?: CallContext['progress'];
}

export const SERVER_INFO = { name: 'toolgate', title: 'Toolgate MCP gateway', version: '0.1.0' };
const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

@Injectable()
export class McpDispatcher {
  constructor(
    private readonly pipeline: CallPipeline,
    private readonly resolver: ResolveTool,
    private readonly config: AppConfigService,
  ) {}

  capabilities() {
    return { tools: { listChanged: true }, logging: {} };
  }

  /** The initialize result (session era); the transport creates the session. */
  initializeResult(params: Record<string, unknown> | undefined, instructions: string) {
    return {
      protocolVersion: negotiateSessionVersion(params?.protocolVersion),
      capabilities: this.capabilities(),
      serverInfo: SERVER_INFO,
      ...(instructions ? { instructions } : {}),
    };
  }

  async handle(req: RpcRequest, ctx: DispatchContext): Promise<unknown> {
    const params = req.params ?? {};
    switch (req.method) {
      case 'server/discover':
        return {
          supportedVersions: [...STATELESS_VERSIONS],
          capabilities: this.capabilities(),
          ...this.complete(ctx),
          _meta: { [META.serverInfo]: SERVER_INFO },
        };
      case 'ping':
        if (ctx.era === 'stateless') break;
        return {};
      case 'tools/list':
        return { ...(await this.listTools(ctx.caller, params.cursor)), ...this.complete(ctx) };
      case 'tools/call': {
        const result = await this.pipeline.call(
          {
            caller: ctx.caller,
            requestId: ctx.requestId,
            sessionId: ctx.session?.id ?? null,
            clientName: ctx.clientName,
            clientVersion: ctx.clientVersion,
            callerIp: ctx.callerIp,
            cancellation: ctx.cancellation,
            progress: ctx.progress,
            startedAt: Date.now(),
          },
          params,
        );
        return ctx.era === 'stateless' ? { ...result, resultType: 'complete' } : result;
      }
      case 'logging/setLevel': {
        if (ctx.era === 'stateless' || !ctx.session) break;
        if (typeof params.level !== 'string' || !LOG_LEVELS.includes(params.level)) {
          throw new RpcException(RpcCode.INVALID_PARAMS, `"level" must be one of ${LOG_LEVELS.join(', ')}.`);
        }
        await ctx.sessions.update(ctx.session.id, { logLevel: params.level });
        return {};
      }
    }
    throw new RpcException(RpcCode.METHOD_NOT_FOUND, `Method "${req.method}" is not supported by this server.`, undefined, ctx.era === 'stateless' ? 404 : 200);
  }

  private complete(ctx: DispatchContext) {
    return ctx.era === 'stateless' ? { resultType: 'complete', ttlMs: 0, cacheScope: 'private' } : {};
  }

  private async listTools(caller: Caller, cursor: unknown) {
    const tools = await this.resolver.visibleTools(caller);
    const pageSize = this.config.env.MCP_TOOLS_PAGE_SIZE;
    const start = decodeToolsCursor(cursor);
    const page = tools.slice(start, start + pageSize);
    const next = start + pageSize < tools.length ? Buffer.from(String(start + pageSize)).toString('base64url') : undefined;
    return { tools: page.map(describeTool), ...(next ? { nextCursor: next } : {}) };
  }
}

function decodeToolsCursor(cursor: unknown): number {
  if (cursor === undefined || cursor === null) return 0;
  const n = typeof cursor === 'string' ? Number(Buffer.from(cursor, 'base64url').toString()) : NaN;
  if (!Number.isInteger(n) || n < 0) throw new RpcException(RpcCode.INVALID_PARAMS, 'Invalid cursor: pass back the nextCursor of the previous tools/list.');
  return n;
}

function describeTool(t: ExposedTool) {
  return {
    name: t.name,
    ...(t.title ? { title: t.title } : {}),
    description: t.description,
    inputSchema: t.inputSchema,
    ...(t.outputSchema ? { outputSchema: t.outputSchema } : {}),
    ...(Object.keys(t.annotations ?? {}).length ? { annotations: t.annotations } : {}),
  };
}
