// Group API keys: created with the plaintext shown once, stored as an HMAC, revoked, rotated with overlap.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiKeyDto, ApiKeyWithSecret, CreateApiKey, KeyRateLimit, RateLimit, TenantRateLimit, UpdateApiKeySchema } from '@toolgate/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import type { TenantScope } from '../auth/access.types';
import { AuditService } from '../audit/audit.service';
import { DomainEvents } from '../common/events/domain-events';
import { SecretKeysService } from '../common/crypto/secret-keys.service';
import { AppException } from '../common/errors/app-exception';
import { ToolGroupsService } from '../tool-groups/tool-groups.service';
import { ApiKey } from './api-key.entity';
import { generateKey, hashesEqual, hashKey, parseKey } from './key-codec';

/** Why a presented key was refused; the gateway answers all of them alike, the log keeps the reason. */
export type KeyRejection = 'malformed' | 'unknown' | 'revoked' | 'expired';
export type KeyVerification = { ok: true; key: ApiKey } | { ok: false; reason: KeyRejection; keyId?: string };

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly groups: ToolGroupsService,
    private readonly secrets: SecretKeysService,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {}

  /** After commit: gateways drop the cached key at once instead of waiting for their cache to expire. */
  private changed<T>(keyId: string, result: T): T {
    this.events.emit('key.changed', { keyId });
    return result;
  }

  async list(tenantId: string, groupId?: string): Promise<ApiKeyDto[]> {
    const rows = await this.db.getRepository(ApiKey).find({ where: { tenantId, ...(groupId ? { groupId } : {}) }, order: { createdAt: 'DESC' } });
    return rows.map(toApiKeyDto);
  }

  /** The keys of one group: 404 when the group is not the tenant's, like every other read by id. */
  async listForGroup(tenantId: string, groupId: string): Promise<ApiKeyDto[]> {
    await this.groups.assertExists(this.db.manager, tenantId, groupId);
    return this.list(tenantId, groupId);
  }

  async getById(tenantId: string, id: string): Promise<ApiKeyDto> {
    return toApiKeyDto(await this.find(this.db.manager, tenantId, id));
  }

  async create(scope: TenantScope, groupId: string, input: CreateApiKey): Promise<ApiKeyWithSecret> {
    return this.db.transaction(async (m) => {
      await this.groups.assertExists(m, scope.tenantId, groupId);
      const issued = await this.issue(m, scope, {
        groupId,
        name: input.name,
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
        toolAllowlist: input.toolAllowlist ?? null,
        rateLimit: input.rateLimit ?? {},
        rotatedFromId: null,
      });
      await this.audit.record(m, scope, { tenantId: scope.tenantId, action: 'key.create', entityType: 'api_key', entityId: issued.key.id, after: issued.key });
      return issued;
    });
  }

  async update(scope: TenantScope, id: string, input: z.infer<typeof UpdateApiKeySchema>): Promise<ApiKeyDto> {
    return this.changed(id, await this.db.transaction(async (m) => {
      const key = await this.find(m, scope.tenantId, id, true);
      const before = toApiKeyDto(key);
      if (input.name !== undefined) key.name = input.name;
      if (input.toolAllowlist !== undefined) key.toolAllowlist = input.toolAllowlist;
      if (input.expiresAt !== undefined) key.expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
      if (input.rateLimit !== undefined) key.rateLimit = input.rateLimit;
      const after = toApiKeyDto(await m.save(key));
      await this.audit.record(m, scope, { tenantId: scope.tenantId, action: 'key.update', entityType: 'api_key', entityId: id, before, after });
      return after;
    }));
  }

  async revoke(scope: TenantScope, id: string): Promise<ApiKeyDto> {
    return this.changed(id, await this.db.transaction(async (m) => {
      const key = await this.find(m, scope.tenantId, id, true);
      const before = toApiKeyDto(key);
      if (!key.revokedAt) key.revokedAt = new Date();
      const after = toApiKeyDto(await m.save(key));
      await this.audit.record(m, scope, { tenantId: scope.tenantId, action: 'key.revoke', entityType: 'api_key', entityId: id, before, after });
      return after;
    }));
  }

  /** A new key with the same settings; the old one keeps working for `overlapSeconds`, then expires. */
  async rotate(scope: TenantScope, id: string, overlapSeconds: number): Promise<ApiKeyWithSecret> {
    return this.changed(id, await this.replace(scope, id, 'key.rotate', (old) => {
      const overlapEnd = new Date(Date.now() + overlapSeconds * 1000);
      if (!old.expiresAt || old.expiresAt > overlapEnd) old.expiresAt = overlapEnd;
    }));
  }

  /** The PRD's "regenerate": the old key stops at once, a new one with the same settings replaces it. */
  async regenerate(scope: TenantScope, id: string): Promise<ApiKeyWithSecret> {
    return this.changed(id, await this.replace(scope, id, 'key.regenerate', (old) => {
      old.revokedAt = new Date();
    }));
  }

  /** Checks a presented key: lookup by public id, then a constant-time compare of the keyed hash. */
  async verify(plaintext: string, now = new Date()): Promise<KeyVerification> {
    const parsed = parseKey(plaintext);
    if (!parsed) return { ok: false, reason: 'malformed' };
    const key = await this.db.getRepository(ApiKey).findOneBy({ keyPrefix: parsed.prefix });
    const presented = hashKey(this.secrets.key('api-key-hmac'), plaintext);
    if (!key || !hashesEqual(presented, key.keyHash)) return { ok: false, reason: 'unknown' };
    if (key.revokedAt && key.revokedAt <= now) return { ok: false, reason: 'revoked', keyId: key.id };
    if (key.expiresAt && key.expiresAt <= now) return { ok: false, reason: 'expired', keyId: key.id };
    return { ok: true, key };
  }

  /** The keyed hash of a presented key: what the gateway's key cache is keyed by, so it never holds a plaintext. */
  hashPresentedKey(plaintext: string): Buffer {
    return hashKey(this.secrets.key('api-key-hmac'), plaintext);
  }

  /**
   * For the MCP gateway's authenticator: the key with this public prefix and its group, in one round trip,
   * as plain columns (no entity hydration). Not tenant-scoped because it runs before the tenant is known:
   * the prefix is globally unique and the caller must still compare the HMAC before trusting the row.
   */
  async findWithGroupByPrefix(prefix: string): Promise<KeyWithGroup | null> {
    const rows: KeyWithGroupRow[] = await this.db.query(
      `SELECT k.id, k.tenant_id, k.group_id, k.key_hash, k.tool_allowlist, k.expires_at, k.revoked_at, k.rate_limit,
              g.id AS g_id, g.server_code AS g_server_code, g.enabled AS g_enabled, g.rate_limit AS g_rate_limit, g.name AS g_name,
              t.rate_limit AS t_rate_limit, t.platform_rate_limit AS t_platform_rate_limit
       FROM api_keys k LEFT JOIN tool_groups g ON g.id = k.group_id AND g.tenant_id = k.tenant_id
       LEFT JOIN tenants t ON t.id = k.tenant_id
       WHERE k.key_prefix = $1`,
      [prefix],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      tenantId: r.tenant_id,
      groupId: r.group_id,
      keyHash: r.key_hash,
      toolAllowlist: r.tool_allowlist,
      rateLimit: r.rate_limit ?? {},
      tenantRateLimit: r.t_rate_limit ?? {},
      platformRateLimit: r.t_platform_rate_limit ?? {},
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
      group: r.g_id
        ? { id: r.g_id, tenantId: r.tenant_id, serverCode: r.g_server_code!, enabled: r.g_enabled!, rateLimit: r.g_rate_limit ?? {}, name: r.g_name! }
        : null,
    };
  }

  /**
   * Moves `last_used_at` forward for many keys in one statement (the gateway batches uses in memory).
   * Never moves it back, so replicas flushing out of order agree. Answers how many rows changed.
   */
  async recordLastUsed(keyIds: string[], usedAt: Date[]): Promise<number> {
    if (keyIds.length === 0) return 0;
    const [, affected]: [unknown, number] = await this.db.query(
      `UPDATE api_keys AS k SET last_used_at = v.t
       FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, t)
       WHERE k.id = v.id AND (k.last_used_at IS NULL OR k.last_used_at < v.t)`,
      [keyIds, usedAt.map((d) => d.toISOString())],
    );
    return affected;
  }

  private async replace(scope: TenantScope, id: string, action: string, retire: (old: ApiKey) => void): Promise<ApiKeyWithSecret> {
    return this.db.transaction(async (m) => {
      const old = await this.find(m, scope.tenantId, id, true);
      const status = statusOf(old);
      if (status === 'revoked') throw new AppException('KEY_REVOKED', 'This key is revoked; create a new key instead.');
      if (status === 'expired') throw new AppException('KEY_EXPIRED', 'This key has expired; create a new key instead.');
      const before = toApiKeyDto(old);
      // The new key gets the old key's lifetime, counted from now.
      const lifetimeMs = old.expiresAt ? old.expiresAt.getTime() - old.createdAt.getTime() : null;
      retire(old);
      await m.save(old);
      const issued = await this.issue(m, scope, {
        groupId: old.groupId,
        name: old.name,
        expiresAt: lifetimeMs === null ? null : new Date(Date.now() + lifetimeMs),
        toolAllowlist: old.toolAllowlist,
        rateLimit: old.rateLimit,
        rotatedFromId: old.id,
      });
      await this.audit.record(m, scope, {
        tenantId: scope.tenantId,
        action,
        entityType: 'api_key',
        entityId: old.id,
        before,
        after: { old: toApiKeyDto(old), new: issued.key },
      });
      return issued;
    });
  }

  private async issue(
    m: EntityManager,
    scope: TenantScope,
    fields: Pick<ApiKey, 'groupId' | 'name' | 'expiresAt' | 'toolAllowlist' | 'rateLimit' | 'rotatedFromId'>,
  ): Promise<ApiKeyWithSecret> {
    const generated = generateKey();
    const key = await m.save(
      m.create(ApiKey, {
        ...fields,
        tenantId: scope.tenantId,
        keyPrefix: generated.prefix,
        keyHash: hashKey(this.secrets.key('api-key-hmac'), generated.plaintext),
        last4: generated.last4,
        createdBy: scope.userId,
      }),
    );
    return { key: toApiKeyDto(key), plaintext: generated.plaintext };
  }

  private async find(m: EntityManager, tenantId: string, id: string, forUpdate = false): Promise<ApiKey> {
    const key = await m.findOne(ApiKey, { where: { id, tenantId }, ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!key) throw AppException.notFound('API key');
    return key;
  }
}

/** A key and its group as the gateway's authenticator needs them; `group` is null when no group of the key's tenant has its group id. */
export interface KeyWithGroup {
  id: string;
  tenantId: string;
  groupId: string;
  keyHash: Buffer;
  toolAllowlist: string[] | null;
  rateLimit: KeyRateLimit;
  /** The key's tenant's own ceiling (TenantRateLimit). */
  tenantRateLimit: TenantRateLimit;
  /** The platform admins' ceiling on the key's tenant. */
  platformRateLimit: TenantRateLimit;
  expiresAt: Date | null;
  revokedAt: Date | null;
  group: { id: string; tenantId: string; serverCode: string; enabled: boolean; rateLimit: RateLimit; name: string } | null;
}

interface KeyWithGroupRow {
  id: string;
  tenant_id: string;
  group_id: string;
  key_hash: Buffer;
  tool_allowlist: string[] | null;
  rate_limit: KeyRateLimit | null;
  t_rate_limit: TenantRateLimit | null;
  t_platform_rate_limit: TenantRateLimit | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  g_id: string | null;
  g_server_code: string | null;
  g_enabled: boolean | null;
  g_rate_limit: RateLimit | null;
  g_name: string | null;
}

function statusOf(k: ApiKey, now = new Date()): ApiKeyDto['status'] {
  if (k.revokedAt && k.revokedAt <= now) return 'revoked';
  if (k.expiresAt && k.expiresAt <= now) return 'expired';
  return 'active';
}

export function toApiKeyDto(k: ApiKey): ApiKeyDto {
  return {
    id: k.id,
    groupId: k.groupId,
    name: k.name,
    prefix: k.keyPrefix,
    last4: k.last4,
    toolAllowlist: k.toolAllowlist,
    rateLimit: k.rateLimit,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    createdAt: k.createdAt.toISOString(),
    createdBy: k.createdBy,
    rotatedFromId: k.rotatedFromId,
    status: statusOf(k),
  };
}
