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
  /** A JSON value, or the same already serialised (JsonText). */
  arguments: unknown;
  /** A JSON value, or the same already serialised (JsonText). */
  resultSummary: unknown;
  isError: boolean;
  outcome: CallOutcome;
  errorCode: string | null;
  durationMs: number;
  upstreamDurationMs: number | null;
  requestId: string | null;
}

/**
 * A JSON value its producer has already serialised (the recorder does, to measure it): the writer sends the text
 * as it is instead of serialising the value a second time.
 */
export class JsonText {
  constructor(readonly text: string) {}

  /** Whatever else serialises a row (the spool) sees the value itself. */
  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}
