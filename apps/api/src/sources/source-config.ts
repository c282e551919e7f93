// A source's settings are checked against its kind's schema (libs/contracts) before anything is stored or used.
import { SOURCE_CONFIG_SCHEMAS } from '@toolgate/contracts';
import { z } from 'zod';
import { zod } from '../common/http/zod.pipe';

export type UpstreamKind = keyof typeof SOURCE_CONFIG_SCHEMAS;

export const isUpstreamKind = (kind: string): kind is UpstreamKind => Object.hasOwn(SOURCE_CONFIG_SCHEMAS, kind);

/** The parsed config, or a 422 naming the field (`config.urls.0: an http:// or https:// URL`). */
export function parseSourceConfig(kind: UpstreamKind, config: unknown): Record<string, unknown> {
  const schema = z.object({ config: SOURCE_CONFIG_SCHEMAS[kind] as unknown as z.ZodType<Record<string, unknown>> });
  return zod(schema).transform({ config }).config;
}
