import type { TenantRateLimit } from '@toolgate/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('tenants')
export class Tenant {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') slug!: string;
  @Column('text') name!: string;
  /** Hosts and CIDRs the tenant's upstreams may reach despite the SSRF guard. */
  @Column('jsonb') networkAllowlist!: string[];
  /** The tenant's own ceiling on tools/call across its groups (TenantRateLimit). */
  @Column('jsonb') rateLimit!: TenantRateLimit;
  /** The platform admins' ceiling (TenantRateLimit), which the tenant cannot raise; the stricter of the two applies. */
  @Column('jsonb') platformRateLimit!: TenantRateLimit;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
