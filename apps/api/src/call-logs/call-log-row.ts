import type { CallOutcome } from '@toolgate/contracts';

/** One row of the call log, as the gateway records it (arguments and results already redacted and truncated). */
export interface CallLogRow {
  /** Assigned by the gateway (UUID v4) together with createdAt: the pair identifies a row across spool replays. */
  id: string;
  createdAt: Date;
  tenantId: string | null;
  groupId: string | null;
  apiKeyId: string | null;
  toolId: string | null;
  /** The name the client asked for (alias or original). */
  toolName: string | null;
  method: string;
  sessionId: string | null;
  clientName: string | null;
  clientVersion: string | null;
  callerIp: string | null;
  arguments: unknown;
  resultSummary: unknown;
  isError: boolean;
  outcome: CallOutcome;
  errorCode: string | null;
  durationMs: number;
  upstreamDurationMs: number | null;
  requestId: string | null;
}
