import { z } from 'zod';

export const UuidSchema = z.uuid();

/** Cursor pages: `nextCursor` is opaque; pass it back as `cursor`. Never offset. */
export const PageQuerySchema = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export function pageOf<T extends z.ZodTypeAny>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export function listOf<T extends z.ZodTypeAny>(item: T) {
  return z.object({ items: z.array(item) });
}

/** Any JSON object (used for JSON Schema documents and free-form config). */
export const JsonObjectSchema = z.record(z.string(), z.unknown());

/** An ISO 8601 instant with offset, limited to years PostgreSQL and JavaScript both accept. */
export const IsoDateTimeSchema = z.iso
  .datetime({ offset: true })
  .refine((v) => {
    const year = Number(v.slice(0, 4));
    return year >= 1970 && year <= 9999;
  }, 'a date between 1970 and 9999');
