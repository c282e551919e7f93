// Calls an HTTP tool: its binding and the agent's arguments become one HTTP request, sent with the source's own
// headers only (never anything of the agent's request), and the response becomes a ToolResult within the size cap.
import { TextDecoder } from 'node:util';
import { type ToolResult, UpstreamError } from '../upstream/upstream.types';
import { BODY_ARGUMENT, type HttpBinding, type HttpParamBinding, isCredentialName, isJsonMediaType, mediaBase } from './openapi-tools';

export interface HttpToolContext {
  /** The SSRF-guarded fetch in production; any fetch in tests. */
  fetch: typeof fetch;
  /** The source config's `baseUrl`; replaces the binding's server URL. */
  baseUrl?: string;
  /** The source's config headers and its decrypted secret headers: the only headers sent besides declared parameters. */
  headers: Record<string, string>;
  /** Query parameters from the source's secrets (an API key the API expects in the query string). */
  query?: Record<string, string>;
  /** Secret values that must never reach the agent, even if the API echoes them; credential-named headers and `query` values always count. */
  secretValues?: string[];
  signal: AbortSignal;
  maxResponseBytes: number;
}

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Of an error response, this much is read and at most ERROR_EXCERPT_CHARS shown. */
const ERROR_BODY_BYTES = 16 * 1024;
const ERROR_EXCERPT_CHARS = 500;
const MIN_SECRET_LENGTH = 6;
const REDACTED = '[REDACTED]';
/** Connection failures that mean the request never left: safe to retry even for writes. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

/** A bad argument the agent can fix: answered as an isError result, nothing is sent. */
class InvalidArgument extends Error {}

interface Prepared {
  url: URL;
  method: string;
  headers: Headers;
  body?: string;
  /** `GET /customers/{customerId}`: names the call in messages without arguments, hosts' queries or secrets. */
  label: string;
}

export async function executeHttpTool(binding: HttpBinding, args: Record<string, unknown>, ctx: HttpToolContext): Promise<ToolResult> {
  let prepared: Prepared;
  try {
    prepared = prepareRequest(binding, args ?? {}, ctx);
  } catch (err) {
    if (err instanceof InvalidArgument) return errorResult(`Invalid arguments: ${err.message}`);
    throw err;
  }
  const secrets = secretValuesOf(ctx);
  const sent = await send(prepared, ctx);
  return 'result' in sent ? sent.result : readResult(sent.response, prepared, ctx, secrets);
}

// ---------------------------------------------------------------------------------------------------- the request

function prepareRequest(binding: HttpBinding, args: Record<string, unknown>, ctx: HttpToolContext): Prepared {
  const label = `${binding.method} ${binding.pathTemplate}`;
  const base = baseUrlOf(binding, ctx, label);
  const argOf = (p: HttpParamBinding) => args[p.argName];

  // Path: every placeholder filled with an encoded value; the result must be exactly what was built, so no value
  // can step out of the template (dot segments are refused, `/` is encoded).
  let path = '';
  let last = 0;
  for (const match of binding.pathTemplate.matchAll(/\{([^{}]+)\}/g)) {
    path += encodeLiteral(binding.pathTemplate.slice(last, match.index));
    const param = binding.params.find((p) => p.in === 'path' && p.name === match[1]);
    const value = param ? argOf(param) : undefined;
    if (!param || value === undefined || value === null) throw new InvalidArgument(`"${param?.argName ?? match[1]}" is required.`);
    path += serializePath(param, value);
    last = match.index! + match[0].length;
  }
  path += encodeLiteral(binding.pathTemplate.slice(last));
  const expected = `${base.pathname.replace(/\/+$/, '')}${path}` || '/';
  const url = new URL(`${base.origin}${expected}`);
  if (url.pathname !== expected) throw new InvalidArgument('the path parameters would change the request path.');

  const query: string[] = base.search ? [base.search.slice(1)] : [];
  const headers = new Headers();
  const cookies: string[] = [];
  for (const param of binding.params) {
    const value = argOf(param);
    if (value === undefined || value === null) continue;
    switch (param.in) {
      case 'path':
        break;
      case 'query':
        query.push(...serializeQuery(param, value));
        break;
      case 'header':
        headers.set(param.name, headerValue(param, value));
        break;
      case 'cookie':
        cookies.push(`${param.name}=${encodeURIComponent(headerValue(param, value))}`);
        break;
    }
  }
  for (const [name, value] of Object.entries(ctx.query ?? {})) query.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  url.search = query.join('&');

  // The source's headers last: a declared parameter never overrides what the admin configured.
  for (const [name, value] of Object.entries(ctx.headers)) {
    try {
      headers.set(name, value);
    } catch {
      throw new UpstreamError('UPSTREAM_ERROR', `${label}: the source's header "${name.slice(0, 100)}" is not a valid HTTP header; fix the source configuration.`, true);
    }
  }
  if (cookies.length) headers.set('cookie', [headers.get('cookie'), ...cookies].filter(Boolean).join('; '));
  if (!headers.has('accept')) headers.set('accept', 'application/json, */*;q=0.8');
  if (!headers.has('user-agent')) headers.set('user-agent', 'Toolgate');

  let body: string | undefined;
  const bodyArg = args[BODY_ARGUMENT];
  if (binding.hasBody && bodyArg !== undefined) {
    const contentType = binding.bodyContentType ?? 'application/json';
    body = mediaBase(contentType) === 'application/x-www-form-urlencoded' ? formBody(bodyArg) : JSON.stringify(bodyArg);
    headers.set('content-type', contentType);
  }
  return { url, method: binding.method, headers, body, label };
}

function baseUrlOf(binding: HttpBinding, ctx: HttpToolContext, label: string): URL {
  const raw = ctx.baseUrl || binding.serverUrl;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    // Reported below.
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UpstreamError('UPSTREAM_ERROR', `${label}: this HTTP source has no absolute http(s) base URL; set "baseUrl" in the source configuration.`, true);
  }
  return url;
}

/** Literal parts of the path template: everything outside RFC 3986's path characters is percent-encoded. */
function encodeLiteral(text: string): string {
  return text.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/g, (c) => encodeURIComponent(c));
}

type Shape = { kind: 'primitive'; value: string } | { kind: 'array'; values: string[] } | { kind: 'object'; entries: [string, string][] };

function shapeOf(value: unknown): Shape {
  if (Array.isArray(value)) return { kind: 'array', values: value.map(scalarText) };
  if (value !== null && typeof value === 'object') return { kind: 'object', entries: Object.entries(value).map(([k, v]) => [k, scalarText(v)]) };
  return { kind: 'primitive', value: scalarText(value) };
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function serializePath(param: HttpParamBinding, value: unknown): string {
  const check = (text: string) => {
    if (text === '') throw new InvalidArgument(`"${param.argName}" must not be empty.`);
    if (text.split(/[/\\]/).some((segment) => segment === '.' || segment === '..')) {
      throw new InvalidArgument(`"${param.argName}" must not contain "." or ".." path segments.`);
    }
    return encodeURIComponent(text);
  };
  if (param.json) return check(JSON.stringify(value));
  const shape = shapeOf(value);
  const style = param.style ?? 'simple';
  const explode = param.explode ?? false;
  const name = encodeURIComponent(param.name);
  if (shape.kind === 'primitive') {
    const text = check(shape.value);
    return style === 'label' ? `.${text}` : style === 'matrix' ? `;${name}=${text}` : text;
  }
  const parts =
    shape.kind === 'array'
      ? shape.values.map(check)
      : explode
        ? shape.entries.map(([k, v]) => `${check(k)}=${check(v)}`)
        : shape.entries.flatMap(([k, v]) => [check(k), check(v)]);
  if (!parts.length) throw new InvalidArgument(`"${param.argName}" must not be empty.`);
  if (style === 'label') return `.${parts.join(explode ? '.' : ',')}`;
  if (style === 'matrix') {
    if (!explode) return `;${name}=${parts.join(',')}`;
    return shape.kind === 'array' ? parts.map((p) => `;${name}=${p}`).join('') : parts.map((p) => `;${p}`).join('');
  }
  return parts.join(',');
}

/** OpenAPI query styles: form (arrays as repeated keys by default), spaceDelimited, pipeDelimited, deepObject. */
function serializeQuery(param: HttpParamBinding, value: unknown): string[] {
  const enc = encodeURIComponent;
  const name = enc(param.name);
  if (param.json) return [`${name}=${enc(JSON.stringify(value))}`];
  const style = param.style ?? 'form';
  const explode = param.explode ?? style === 'form';
  const shape = shapeOf(value);
  switch (shape.kind) {
    case 'primitive':
      return [`${name}=${enc(shape.value)}`];
    case 'array':
      if (style === 'form' && explode) return shape.values.map((v) => `${name}=${enc(v)}`);
      return [`${name}=${shape.values.map(enc).join(style === 'spaceDelimited' ? '%20' : style === 'pipeDelimited' ? '|' : ',')}`];
    case 'object':
      if (style === 'deepObject') return shape.entries.map(([k, v]) => `${name}[${enc(k)}]=${enc(v)}`);
      if (explode) return shape.entries.map(([k, v]) => `${enc(k)}=${enc(v)}`);
      return [`${name}=${shape.entries.flatMap(([k, v]) => [enc(k), enc(v)]).join(',')}`];
  }
}

/** Header (and cookie) values, style `simple`; refused rather than mangled when HTTP cannot carry them. */
function headerValue(param: HttpParamBinding, value: unknown): string {
  let text: string;
  if (param.json) {
    text = JSON.stringify(value);
  } else {
    const shape = shapeOf(value);
    text =
      shape.kind === 'primitive'
        ? shape.value
        : shape.kind === 'array'
          ? shape.values.join(',')
          : shape.entries.map(([k, v]) => (param.explode ? `${k}=${v}` : `${k},${v}`)).join(',');
  }
  if (/[\r\n\0]/.test(text)) throw new InvalidArgument(`"${param.argName}" must not contain line breaks.`);
  if (param.in === 'header' && /[^\u0000-\u00ff]/.test(text)) throw new InvalidArgument(`"${param.argName}" must contain only Latin-1 characters (it is sent as an HTTP header).`);
  return text;
}

function formBody(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidArgument(`"${BODY_ARGUMENT}" must be an object of form fields.`);
  const form = new URLSearchParams();
  for (const [key, field] of Object.entries(value)) {
    if (Array.isArray(field)) for (const item of field) form.append(key, scalarText(item));
    else if (field !== undefined && field !== null) form.append(key, scalarText(field));
  }
  return form.toString();
}

// ---------------------------------------------------------------------------------------------------- sending

/**
 * Redirects are followed here, within the same origin only, so the source's credentials never travel to another
 * host; every hop goes through ctx.fetch again (the SSRF guard re-checks it).
 */
async function send(prepared: Prepared, ctx: HttpToolContext): Promise<{ response: Response } | { result: ToolResult }> {
  let { url, method, body } = prepared;
  for (let hop = 0; ; hop++) {
    let response: Response;
    try {
      response = await ctx.fetch(url.href, { method, headers: prepared.headers, body, signal: ctx.signal, redirect: 'manual' });
    } catch (err) {
      throw failure(err, prepared.label, url, ctx.signal);
    }
    const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null;
    if (!location) return { response };
    await discard(response);
    let next: URL | null = null;
    try {
      next = new URL(location, url);
    } catch {
      // Reported below.
    }
    if (!next || next.origin !== url.origin) {
      const where = next ? next.origin : 'an invalid location';
      return { result: errorResult(`HTTP ${response.status}: the API redirected to ${where}; redirects to another origin are not followed, so the source's credentials stay with ${url.origin}.`) };
    }
    if (hop >= MAX_REDIRECTS) return { result: errorResult(`HTTP ${response.status}: more than ${MAX_REDIRECTS} redirects.`) };
    if ((response.status === 303 && method !== 'HEAD') || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
      prepared.headers.delete('content-type');
    }
    url = next;
  }
}

/** Cancellation is the caller's (it knows whether it was a timeout); anything else is an unavailable upstream. */
function failure(err: unknown, label: string, url: URL, signal: AbortSignal): unknown {
  if (err instanceof UpstreamError || signal.aborted) return err;
  const code = errorCode(err);
  const notSent = code !== undefined && (NOT_SENT_CODES.has(code) || /CERT|TLS|SSL/.test(code));
  return new UpstreamError('UNAVAILABLE', `${label}: could not reach ${url.host}${code ? ` (${code})` : ''}.`, notSent);
}

function errorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const { code, errors, cause } = current as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    if (Array.isArray(errors) && errors.length) current = errors[0];
    else current = cause;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------- the response

async function readResult(response: Response, prepared: Prepared, ctx: HttpToolContext, secrets: string[]): Promise<ToolResult> {
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  const contentType = response.headers.get('content-type') ?? '';
  if (response.status < 200 || response.status >= 300) {
    const bytes = await readBody(response, Math.min(ERROR_BODY_BYTES, ctx.maxResponseBytes), prepared.label, ctx.signal, true);
    const excerpt = errorExcerpt(bytes, contentType, secrets);
    return errorResult(excerpt ? `${status}: ${excerpt}` : status);
  }
  const bytes = prepared.method === 'HEAD' ? Buffer.alloc(0) : await readBody(response, ctx.maxResponseBytes, prepared.label, ctx.signal, false);
  if (!bytes.length) return { content: [{ type: 'text', text: `${status} (empty body)` }] };

  const base = mediaBase(contentType);
  const image = /^image\/(png|jpeg|gif|webp)$/.test(base);
  if (image) return { content: [{ type: 'image', data: bytes.toString('base64'), mimeType: base }] };

  const text = decodeText(bytes, contentType);
  if (isJsonMediaType(contentType) || (!base && text !== null && /^\s*[[{]/.test(text))) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text ?? '');
    } catch {
      throw new UpstreamError('MALFORMED_RESPONSE', `${prepared.label}: the API answered ${response.status} with content that is not valid JSON.`);
    }
    return jsonResult(parsed, secrets);
  }
  if (text === null || !isTextual(base)) {
    return errorResult(`${status}: the API answered with ${base || 'binary content'} (${bytes.length} bytes), which cannot be passed to an agent; only JSON, text and images can.`);
  }
  return { content: [{ type: 'text', text: redact(text, secrets) }] };
}

/** Reads at most `limit` bytes: beyond it the body is cancelled and, unless truncating, the call fails. */
async function readBody(response: Response, limit: number, label: string, signal: AbortSignal, truncate: boolean): Promise<Buffer> {
  const tooLarge = () => new UpstreamError('RESPONSE_TOO_LARGE', `${label}: the response is larger than ${limit} bytes, the source's limit.`);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (!truncate && Number.isFinite(declared) && declared > limit) {
    await discard(response);
    throw tooLarge();
  }
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (total + value.byteLength > limit) {
        await reader.cancel().catch(() => undefined);
        if (!truncate) throw tooLarge();
        chunks.push(value.subarray(0, limit - total));
        total = limit;
        break;
      }
      chunks.push(value);
      total += value.byteLength;
    }
  } catch (err) {
    if (err instanceof UpstreamError || signal.aborted) throw err;
    throw new UpstreamError('UNAVAILABLE', `${label}: the connection failed while the response was read.`);
  }
  return Buffer.concat(chunks, total);
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

function jsonResult(parsed: unknown, secrets: string[]): ToolResult {
  const text = JSON.stringify(parsed);
  const clean = redact(text, secrets);
  let value = parsed;
  if (clean !== text) {
    try {
      value = JSON.parse(clean);
    } catch {
      value = undefined;
    }
  }
  const structured = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  return { content: [{ type: 'text', text: clean }], ...(structured ? { structuredContent: structured } : {}) };
}

function errorExcerpt(bytes: Buffer, contentType: string, secrets: string[]): string {
  if (!bytes.length) return '';
  const text = decodeText(bytes, contentType);
  if (text === null) return `(${mediaBase(contentType) || 'binary'} body)`;
  const flat = redact(text, secrets)
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > ERROR_EXCERPT_CHARS ? `${flat.slice(0, ERROR_EXCERPT_CHARS)}…` : flat;
}

/** The body as text in its declared charset (UTF-8 by default); null when it is not text. */
function decodeText(bytes: Buffer, contentType: string): string | null {
  const charset = /;\s*charset="?([^";\s]+)"?/i.exec(contentType)?.[1] ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    decoder = new TextDecoder('utf-8', { fatal: true });
  }
  try {
    const text = decoder.decode(bytes);
    return text.includes('\u0000') ? null : text;
  } catch {
    return null;
  }
}

function isTextual(base: string): boolean {
  return (
    !base ||
    base.startsWith('text/') ||
    /^application\/(xml|javascript|ecmascript|x-www-form-urlencoded|yaml|x-yaml|csv|graphql|problem\+xml)$/.test(base) ||
    /\+(xml|yaml)$/.test(base)
  );
}

// ---------------------------------------------------------------------------------------------------- secrets

/** What the API must not be able to hand back to the agent: secret values, and the token part of `Bearer <token>`. */
function secretValuesOf(ctx: HttpToolContext): string[] {
  const values = [
    ...(ctx.secretValues ?? []),
    ...Object.entries(ctx.headers)
      .filter(([name]) => isCredentialName(name))
      .map(([, value]) => value),
    ...Object.values(ctx.query ?? {}),
  ];
  const all = values.flatMap((v) => [v, v.replace(/^\S+\s+/, '')]).filter((v) => v.length >= MIN_SECRET_LENGTH);
  // Longest first, so that a value containing another is masked whole.
  return [...new Set(all)].sort((a, b) => b.length - a.length);
}

function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

function errorResult(text: string): ToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}
