import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AddMemberSchema, MemberDto, Role } from '@toolgate/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import type { TenantScope } from '../auth/access.types';
import { AuditService } from '../audit/audit.service';
import { AppException } from '../common/errors/app-exception';
import { UsersService } from '../users/users.service';
import { Membership } from './membership.entity';

@Injectable()
export class MembersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  async list(tenantId: string): Promise<MemberDto[]> {
    const rows = await this.db.getRepository(Membership).find({ where: { tenantId }, relations: { user: true }, order: { createdAt: 'ASC' } });
    return rows.map(toMemberDto);
  }

  async add(scope: TenantScope, input: z.infer<typeof AddMemberSchema>): Promise<MemberDto> {
    return this.db.transaction(async (m) => {
      let user = await this.users.findByEmail(input.email);
      if (!user) {
        if (!input.password) {
          throw new AppException('VALIDATION_FAILED', `No user ${input.email} exists yet: send "password" (12+ characters) to create one.`);
        }
        user = await this.users.create(m, { email: input.email, name: input.name ?? input.email.split('@')[0], password: input.password });
      }
      if (await m.existsBy(Membership, { tenantId: scope.tenantId, userId: user.id })) {
        throw new AppException('MEMBER_EXISTS', `${input.email} is already a member of this tenant.`);
      }
      const saved = await m.save(m.create(Membership, { tenantId: scope.tenantId, userId: user.id, role: input.role }));
      const dto = toMemberDto({ ...saved, user });
      await this.audit.record(m, scope, { tenantId: scope.tenantId, action: 'member.add', entityType: 'membership', entityId: saved.id, after: dto });
      return dto;
    });
  }

  async changeRole(scope: TenantScope, membershipId: string, role: Role): Promise<MemberDto> {
    return this.db.transaction(async (m) => {
      const member = await this.getForUpdate(m, scope.tenantId, membershipId);
      const before = toMemberDto(member);
      if (member.role === 'owner' && role !== 'owner') await this.assertNotLastOwner(m, scope.tenantId);
      member.role = role;
      await m.update(Membership, { id: member.id, tenantId: scope.tenantId }, { role });
      const after = toMemberDto(member);
      await this.audit.record(m, scope, { tenantId: scope.tenantId, action: 'member.update', entityType: 'membership', entityId: member.id, before, after });
      return after;
    });
  }

  async remove(scope: TenantScope, membershipId: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const member = await this.getForUpdate(m, scope.tenantId, membershipId);
      if (member.role === 'owner') await this.assertNotLastOwner(m, scope.tenantId);
      await m.delete(Membership, { id: member.id, tenantId: scope.tenantId });
      await this.audit.record(m, scope, { tenantId: scope.tenantId, action: 'member.remove', entityType: 'membership', entityId: member.id, before: toMemberDto(member) });
    });
  }

  private async getForUpdate(m: EntityManager, tenantId: string, id: string): Promise<Membership> {
    const member = await m.findOne(Membership, { where: { id, tenantId }, relations: { user: true }, lock: { mode: 'pessimistic_write', tables: ['memberships'] } });
    if (!member) throw AppException.notFound('Member');
    return member;
  }

  private async assertNotLastOwner(m: EntityManager, tenantId: string): Promise<void> {
    // Lock the owners so two concurrent demotions cannot leave the tenant ownerless.
    const owners = await m.find(Membership, { where: { tenantId, role: 'owner' }, lock: { mode: 'pessimistic_write' } });
    if (owners.length <= 1) throw new AppException('LAST_OWNER', 'A tenant needs at least one owner: make someone else owner first.');
  }
}

function toMemberDto(m: Membership): MemberDto {
  return { id: m.id, userId: m.userId, email: m.user!.email, name: m.user!.name, role: m.role, createdAt: m.createdAt.toISOString() };
}
