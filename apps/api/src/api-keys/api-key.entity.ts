import type { KeyRateLimit } from '@toolgate/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('api_keys')
export class ApiKey {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') tenantId!: string;
  @Column('uuid') groupId!: string;
  @Column('text') name!: string;
  /** Public part of the key (`tg_` + 12 chars): the lookup handle, safe to display. */
  @Column('text') keyPrefix!: string;
  /** HMAC-SHA-256 of the whole key under a server-derived secret. */
  @Column('bytea') keyHash!: Buffer;
  @Column('text') last4!: string;
  @Column({ type: 'jsonb', nullable: true }) toolAllowlist!: string[] | null;
  /** Overrides of the group's limits for this key (KeyRateLimit). */
  @Column('jsonb') rateLimit!: KeyRateLimit;
  @Column({ type: 'timestamptz', nullable: true }) expiresAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) revokedAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) lastUsedAt!: Date | null;
  @Column({ type: 'uuid', nullable: true }) rotatedFromId!: string | null;
  @Column({ type: 'uuid', nullable: true }) createdBy!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
