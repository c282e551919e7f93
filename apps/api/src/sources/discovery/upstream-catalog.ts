// Reads what a source offers right now: every tool of an upstream MCP server (all pages), or the picked operations
// of an OpenAPI document, each as a tool face plus, for HTTP tools, the request binding.
import { Injectable } from '@nestjs/common';
import type { ToolFace } from '@toolgate/contracts';
import { AppException } from '../../common/errors/app-exception';
import { HttpSourceRunner } from '../openapi/http-source-runner';
import { MAX_DOCUMENT_BYTES, OpenApiDocument, parseOpenApiDocument } from '../openapi/openapi-document';
import { HttpBinding, listOperations, operationToTool } from '../openapi/openapi-tools';
import { UpstreamClientPool } from '../upstream/upstream-client-pool';
import { ResolvedSource, UpstreamError, UpstreamTool } from '../upstream/upstream.types';

export interface DiscoveredTool {
  /** The name at the source: the MCP tool name or the OpenAPI operationId. The ToolNamer makes the exposed name. */
  upstreamName: string;
  face: ToolFace;
  binding: HttpBinding | null;
}

interface HttpConfig {
  documentUrl?: string;
  document?: string;
  baseUrl?: string;
  operations?: string[];
}

/** Listing tools may take a while for a slow upstream, but never forever. */
const LIST_TIMEOUT_MS = 60_000;
const KNOWN_ANNOTATIONS = ['title', 'readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'];

@Injectable()
export class UpstreamCatalog {
  constructor(
    private readonly pool: UpstreamClientPool,
    private readonly http: HttpSourceRunner,
  ) {}

  /** `timeoutMs` bounds the whole listing (every page and retry); shorter when an admin waits for the answer. */
  async read(source: ResolvedSource, timeoutMs = LIST_TIMEOUT_MS): Promise<DiscoveredTool[]> {
    if (source.kind === 'http') return this.readOpenApi(source);
    const tools = await this.pool.listTools(source, { timeoutMs });
    return tools.map((t) => ({ upstreamName: t.name, face: faceOf(t), binding: null }));
  }

  /** The OpenAPI document of an http source (uploaded, or fetched through the SSRF guard). */
  async document(source: ResolvedSource, input: HttpConfig = source.config as HttpConfig): Promise<OpenApiDocument> {
    if (input.document !== undefined) return parseOpenApiDocument(input.document);
    if (!input.documentUrl) throw new AppException('VALIDATION_FAILED', 'An http source needs config.documentUrl or config.document.');
    const fetch = this.http.fetchFor(source);
    const response = await fetch(input.documentUrl, { headers: { accept: 'application/json, application/yaml;q=0.9, */*;q=0.5' }, signal: AbortSignal.timeout(LIST_TIMEOUT_MS) });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new UpstreamError('UPSTREAM_ERROR', `fetching the OpenAPI document from ${new URL(input.documentUrl).origin} answered HTTP ${response.status}`);
    }
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_DOCUMENT_BYTES) {
      await response.body?.cancel().catch(() => undefined);
      throw new AppException('PAYLOAD_TOO_LARGE', `The OpenAPI document is larger than ${MAX_DOCUMENT_BYTES} bytes.`);
    }
    return parseOpenApiDocument(await response.text(), { documentUrl: input.documentUrl });
  }

  /** Drops the fetch pool made for a one-off document fetch (the preview). */
  forget(id: string): void {
    this.http.release(id);
  }

  private async readOpenApi(source: ResolvedSource): Promise<DiscoveredTool[]> {
    const config = source.config as HttpConfig;
    const doc = await this.document(source);
    const available = listOperations(doc);
    const picked = config.operations ? new Set(config.operations) : null;
    // Picked operations that left the document are simply absent, so their tools are marked removed.
    const chosen = available.filter((op) => (picked ? picked.has(op.operationId) : !op.unsupported));
    return chosen.map((op) => {
      const { tool, binding } = operationToTool(doc, op.operationId, { namespace: source.namespace, baseUrl: config.baseUrl });
      // Named by the ToolNamer like MCP tools (not by the document's order): a clash is settled in favour of the tool
      // that already has the name.
      return { upstreamName: op.operationId, face: faceOf(tool), binding };
    });
  }
}

function faceOf(t: UpstreamTool): ToolFace {
  const annotations = Object.fromEntries(Object.entries(t.annotations ?? {}).filter(([k]) => KNOWN_ANNOTATIONS.includes(k)));
  return {
    title: t.title ?? (typeof annotations.title === 'string' ? annotations.title : null),
    description: t.description ?? '',
    inputSchema: t.inputSchema,
    outputSchema: t.outputSchema ?? null,
    annotations,
  };
}
