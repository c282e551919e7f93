// Validation at the edge: request bodies and queries are parsed with the shared zod schemas.
import { applyDecorators, PipeTransform } from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import { z } from 'zod';
import { AppException } from '../errors/app-exception';

export class ZodPipe<T extends z.ZodTypeAny> implements PipeTransform<unknown, z.infer<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): z.infer<T> {
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    const issues = result.error.issues.map((i) => ({
      path: i.path.join('.'),
      message: describeIssue(i),
    }));
    const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    throw new AppException('VALIDATION_FAILED', `Invalid request: ${summary}`, { issues });
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}

export const zod = <T extends z.ZodTypeAny>(schema: T) => new ZodPipe(schema);

function jsonSchemaOf(schema: z.ZodTypeAny): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/** Documents a zod body schema in OpenAPI. */
export const ApiZodBody = (schema: z.ZodTypeAny) => ApiBody({ schema: jsonSchemaOf(schema) as never });

/** Documents each field of a zod object query schema in OpenAPI. */
export function ApiZodQuery(schema: z.ZodObject) {
  return applyDecorators(
    ...Object.entries(schema.shape).map(([name, field]) =>
      ApiQuery({ name, required: !(field as z.ZodTypeAny).safeParse(undefined).success, schema: jsonSchemaOf(field as z.ZodTypeAny) as never }),
    ),
  );
}
