import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('audit_events')
export class AuditEvent {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid', nullable: true }) tenantId!: string | null;
  @Column({ type: 'uuid', nullable: true }) actorUserId!: string | null;
  @Column({ type: 'text', nullable: true }) actorEmail!: string | null;
  @Column('text') action!: string;
  @Column('text') entityType!: string;
  @Column({ type: 'text', nullable: true }) entityId!: string | null;
  @Column({ type: 'jsonb', nullable: true }) before!: object | null;
  @Column({ type: 'jsonb', nullable: true }) after!: object | null;
  @Column({ type: 'text', nullable: true }) ip!: string | null;
  @Column({ type: 'text', nullable: true }) requestId!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
