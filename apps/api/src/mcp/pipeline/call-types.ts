import type { CallOutcome } from '@toolgate/contracts';
import type { ToolResult } from '../../builtin-tools/mcp-tool.decorator';
import type { ExposedTool } from '../catalog/group-catalog.service';
import type { CallCancellation } from './deadline';
import type { AuthenticatedGroup, AuthenticatedKey } from './key-authenticator';

/** Who is calling: the verified key and its group (see KeyAuthenticator). */
export interface Caller {
  key: AuthenticatedKey;
  group: AuthenticatedGroup;
}

/** One tools/call as it moves through the pipeline. */
export interface CallContext {
  caller: Caller;
  requestId: string;
  sessionId: string | null;
  clientName: string | null;
  clientVersion: string | null;
  callerIp: string | null;
  /** Aborted when the client cancels or disconnects. */
  cancellation: CallCancellation;
  progress?: (progress: number, total?: number, message?: string) => void;
  startedAt: number;
}

/** How a step ends the call early: with a JSON-RPC error, or with an isError tool result. */
export class CallRefusal extends Error {
  constructor(
    readonly outcome: CallOutcome,
    readonly errorCode: string,
    message: string,
    readonly as: 'rpc-error' | 'tool-error',
    readonly rpcCode?: number,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface CallRecord {
  tool: ExposedTool | null;
  requestedName: string | null;
  arguments: unknown;
  result: ToolResult | null;
  outcome: CallOutcome;
  errorCode: string | null;
  upstreamDurationMs: number | null;
}
