import type { SourceKind } from '@toolgate/contracts';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity('tool_sources')
export class ToolSource {
  /** Assigned before insert: the id is part of the secrets' associated data. */
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid') tenantId!: string;
  @Column('text') kind!: SourceKind;
  @Column('text') name!: string;
  @Column('text') namespace!: string;
  @Column('jsonb') config!: Record<string, unknown>;
  /** AES-GCM sealed JSON of the secret settings; null when there are none. */
  @Column({ type: 'text', nullable: true }) secretsEncrypted!: string | null;
  @Column('jsonb') secretNames!: string[];
  @Column('boolean') enabled!: boolean;
  @Column('text') status!: string;
  @Column({ type: 'text', nullable: true }) lastError!: string | null;
  @Column({ type: 'timestamptz', nullable: true }) lastRefreshedAt!: Date | null;
  /** Active tools at the last discovery. */
  @Column('integer') toolCount!: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
