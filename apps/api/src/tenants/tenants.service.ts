import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { CreateTenantSchema, Role, TenantDto, UpdatePlatformTenant, UpdateTenantSchema } from '@toolgate/contracts';
import { DataSource, In, Repository } from 'typeorm';
import { z } from 'zod';
import type { Actor, TenantScope } from '../auth/access.types';
import { AuditService } from '../audit/audit.service';
import { BuiltinCatalogService } from '../builtin-tools/builtin-catalog.service';
import { DomainEvents } from '../common/events/domain-events';
import { AppException } from '../common/errors/app-exception';
import { mapUniqueViolation } from '../database/pg-errors';
import { isValidAllowlistEntry } from '../sources/network/address-policy';
import { SourcesService } from '../sources/sources.service';
import { Membership } from './membership.entity';
import { Tenant } from './tenant.entity';

export interface MembershipView {
  tenantId: string;
  tenantSlug: string;
  tenantName: string;
  role: Role;
}

@Injectable()
export class TenantsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(Tenant) private readonly tenants: Repository<Tenant>,
    @InjectRepository(Membership) private readonly memberships: Repository<Membership>,
    private readonly audit: AuditService,
    private readonly sources: SourcesService,
    private readonly builtinCatalog: BuiltinCatalogService,
    private readonly events: DomainEvents,
  ) {}

  async membershipsOf(userId: string): Promise<MembershipView[]> {
    const rows = await this.memberships.find({ where: { userId }, relations: { tenant: true }, order: { createdAt: 'ASC' } });
    return rows.map((m) => ({ tenantId: m.tenantId, tenantSlug: m.tenant!.slug, tenantName: m.tenant!.name, role: m.role }));
  }

  async exists(id: string): Promise<boolean> {
    return this.tenants.existsBy({ id });
  }

  /** Platform admins see every tenant; everyone else sees the tenants they belong to. */
  async listVisible(actor: Actor): Promise<TenantDto[]> {
    if (actor.isPlatformAdmin) return (await this.tenants.find({ order: { createdAt: 'ASC' } })).map(toTenantDto);
    const ids = (await this.membershipsOf(actor.userId)).map((m) => m.tenantId);
    if (ids.length === 0) return [];
    return (await this.tenants.find({ where: { id: In(ids) }, order: { createdAt: 'ASC' } })).map(toTenantDto);
  }

  async getById(tenantId: string): Promise<TenantDto> {
    const t = await this.tenants.findOneBy({ id: tenantId });
    if (!t) throw AppException.notFound('Tenant');
    return toTenantDto(t);
  }

  async create(actor: Actor, input: z.infer<typeof CreateTenantSchema>): Promise<TenantDto> {
    try {
      return await this.db.transaction(async (m) => {
        const tenant = await m.save(m.create(Tenant, { slug: input.slug, name: input.name, networkAllowlist: [], rateLimit: {}, platformRateLimit: {} }));
        await this.sources.createBuiltin(m, tenant.id);
        // The new tenant sees the builtin tools at once, and a failed sync rolls the tenant back with it.
        await this.builtinCatalog.syncCatalog(m, tenant.id);
        const dto = toTenantDto(tenant);
        await this.audit.record(m, actor, { tenantId: tenant.id, action: 'tenant.create', entityType: 'tenant', entityId: tenant.id, after: dto });
        return dto;
      });
    } catch (err) {
      mapUniqueViolation(err, { tenants_slug_key: ['TENANT_SLUG_TAKEN', `The tenant slug "${input.slug}" is taken.`] });
    }
  }

  async update(scope: TenantScope, input: z.infer<typeof UpdateTenantSchema>): Promise<TenantDto> {
    const dto = await this.db.transaction(async (m) => {
      const tenant = await m.findOneBy(Tenant, { id: scope.tenantId });
      if (!tenant) throw AppException.notFound('Tenant');
      const before = toTenantDto(tenant);
      const invalid = (input.networkAllowlist ?? []).filter((entry) => !isValidAllowlistEntry(entry));
      if (invalid.length) {
        throw new AppException(
          'VALIDATION_FAILED',
          `networkAllowlist: ${invalid.map((e) => `"${e}"`).join(', ')} is not a host name, an IP address or a CIDR range (examples: "localhost", "10.0.0.5", "10.0.0.0/8", "api.internal").`,
        );
      }
      const { rateLimit, ...rest } = input;
      m.merge(Tenant, tenant, rest);
      // Replaced as a whole, not deep-merged: PATCH { rateLimit: {} } clears the quota.
      if (rateLimit !== undefined) tenant.rateLimit = rateLimit;
      const after = toTenantDto(await m.save(tenant));
      await this.audit.record(m, scope, { tenantId: tenant.id, action: 'tenant.update', entityType: 'tenant', entityId: tenant.id, before, after });
      return after;
    });
    // A narrowed allowlist must stop upstream traffic at once on this replica, not after a cache expires.
    this.events.emit('tenant.changed', { tenantId: scope.tenantId });
    return dto;
  }

  /** Platform admins: the ceiling the tenant's owners cannot raise (PATCH /api/v1/tenant refuses the field). */
  async updateAsPlatform(actor: Actor, tenantId: string, input: UpdatePlatformTenant): Promise<TenantDto> {
    const dto = await this.db.transaction(async (m) => {
      const tenant = await m.findOneBy(Tenant, { id: tenantId });
      if (!tenant) throw AppException.notFound('Tenant');
      const before = toTenantDto(tenant);
      // Replaced as a whole: { platformRateLimit: {} } lifts the ceiling.
      tenant.platformRateLimit = input.platformRateLimit;
      const after = toTenantDto(await m.save(tenant));
      await this.audit.record(m, actor, { tenantId, action: 'tenant.platform_update', entityType: 'tenant', entityId: tenantId, before, after });
      return after;
    });
    // Cached keys carry their tenant's limits: every gateway drops them, so the new ceiling holds from the next call.
    this.events.emit('tenant.changed', { tenantId });
    return dto;
  }
}

export function toTenantDto(t: Tenant): TenantDto {
  return {
    id: t.id,
    slug: t.slug,
    name: t.name,
    networkAllowlist: t.networkAllowlist,
    rateLimit: t.rateLimit,
    platformRateLimit: t.platformRateLimit,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}
