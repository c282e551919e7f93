import { z } from 'zod';
import { JsonObjectSchema } from './common';

export const SOURCE_KINDS = ['builtin', 'mcp_stdio', 'mcp_http', 'mcp_sse', 'http'] as const;
export const SourceKindSchema = z.enum(SOURCE_KINDS);
export type SourceKind = z.infer<typeof SourceKindSchema>;

export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,128}$/;
export const ToolNameSchema = z.string().regex(TOOL_NAME_PATTERN, 'letters, digits, "_", "-" and "." only, 1 to 128');

export const ToolAnnotationsSchema = z.strictObject({
  title: z.string().max(200).optional(),
  readOnlyHint: z.boolean().optional(),
  destructiveHint: z.boolean().optional(),
  idempotentHint: z.boolean().optional(),
  openWorldHint: z.boolean().optional(),
});

const toolFields = {
  sourceId: z.uuid(),
  name: ToolNameSchema,
  title: z.string().max(200).nullable(),
  description: z.string().max(8000),
  inputSchema: JsonObjectSchema,
  outputSchema: JsonObjectSchema.nullable(),
  annotations: ToolAnnotationsSchema,
  timeoutSeconds: z.number().int().min(1).max(3600),
  configData: JsonObjectSchema,
  enabled: z.boolean(),
  /** JSON paths (dot-separated) whose values are masked in call logs, beyond the default secret-like keys. */
  redactionPaths: z.array(z.string().min(1).max(200)).max(100),
};

export const CreateToolSchema = z.strictObject({
  ...toolFields,
  title: toolFields.title.optional(),
  description: toolFields.description.default(''),
  inputSchema: toolFields.inputSchema.default({ type: 'object' }),
  outputSchema: toolFields.outputSchema.optional(),
  annotations: toolFields.annotations.default({}),
  timeoutSeconds: toolFields.timeoutSeconds.default(30),
  configData: toolFields.configData.default({}),
  enabled: toolFields.enabled.default(false),
  redactionPaths: toolFields.redactionPaths.default([]),
});
export type CreateTool = z.infer<typeof CreateToolSchema>;

const { sourceId: _sourceId, ...updatable } = toolFields;
export const UpdateToolSchema = z.strictObject(updatable).partial();
export type UpdateTool = z.infer<typeof UpdateToolSchema>;

export const ToolQuerySchema = z.strictObject({
  sourceId: z.uuid().optional(),
  groupId: z.uuid().optional(),
  enabled: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  q: z.string().max(200).optional(),
});

export const ToolDtoSchema = z.object({
  id: z.uuid(),
  sourceId: z.uuid(),
  name: z.string(),
  title: z.string().nullable(),
  description: z.string(),
  inputSchema: JsonObjectSchema,
  outputSchema: JsonObjectSchema.nullable(),
  annotations: ToolAnnotationsSchema,
  version: z.number(),
  schemaHash: z.string(),
  timeoutSeconds: z.number(),
  configData: JsonObjectSchema,
  enabled: z.boolean(),
  status: z.enum(['active', 'removed']),
  /** For tools discovered at an upstream source: the name the source knows it by. */
  upstreamName: z.string().nullable(),
  redactionPaths: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ToolDto = z.infer<typeof ToolDtoSchema>;
