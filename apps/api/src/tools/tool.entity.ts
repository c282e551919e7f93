import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('tools')
export class Tool {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') tenantId!: string;
  @Column('uuid') sourceId!: string;
  @Column('text') name!: string;
  @Column({ type: 'text', nullable: true }) title!: string | null;
  @Column('text') description!: string;
  @Column('jsonb') inputSchema!: Record<string, unknown>;
  @Column({ type: 'jsonb', nullable: true }) outputSchema!: Record<string, unknown> | null;
  @Column('jsonb') annotations!: Record<string, unknown>;
  @Column('integer') version!: number;
  @Column('text') schemaHash!: string;
  @Column('integer') timeoutSeconds!: number;
  @Column('jsonb') configData!: Record<string, unknown>;
  @Column('jsonb') redactionPaths!: string[];
  @Column('boolean') enabled!: boolean;
  @Column('text') status!: 'active' | 'removed';
  /** For discovered tools: the name at the source (an MCP tool name or an OpenAPI operationId); null otherwise. */
  @Column({ type: 'text', nullable: true }) upstreamName!: string | null;
  /** For HTTP tools: the request a call becomes (an HttpBinding). */
  @Column({ type: 'jsonb', nullable: true }) binding!: Record<string, unknown> | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
