import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A tool's membership in a group, with the group's overrides. */
@Entity('tool_group_tools')
export class GroupTool {
  @PrimaryColumn('uuid') groupId!: string;
  @PrimaryColumn('uuid') toolId!: string;
  @Column('uuid') tenantId!: string;
  @Column({ type: 'text', nullable: true }) alias!: string | null;
  @Column({ type: 'text', nullable: true }) description!: string | null;
  @Column('boolean') enabled!: boolean;
  @Column({ type: 'integer', nullable: true }) timeoutSeconds!: number | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
