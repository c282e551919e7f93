import type { RateLimit } from '@toolgate/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('tool_groups')
export class ToolGroup {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') tenantId!: string;
  @Column('text') name!: string;
  @Column('text') description!: string;
  @Column('text') serverCode!: string;
  @Column('boolean') enabled!: boolean;
  @Column('jsonb') allowedRoles!: string[];
  @Column('jsonb') allowedUserTiers!: string[];
  @Column('jsonb') rateLimit!: RateLimit;
  @Column({ type: 'uuid', nullable: true }) createdBy!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
