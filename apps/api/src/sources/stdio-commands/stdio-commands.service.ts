// The platform's stdio command allowlist: a stdio source may only run a command platform admins put here.
// Tenants' admins configure sources; only platform admins decide what runs on the gateway's machines.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { StdioCommandDto } from '@toolgate/contracts';
import { DataSource } from 'typeorm';
import type { Actor } from '../../auth/access.types';
import { AuditService } from '../../audit/audit.service';
import { AppException } from '../../common/errors/app-exception';

interface Row {
  command: string;
  description: string;
  created_at: Date;
}

@Injectable()
export class StdioCommandsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<StdioCommandDto[]> {
    const rows: Row[] = await this.db.query('SELECT command, description, created_at FROM stdio_commands ORDER BY command');
    return rows.map(toDto);
  }

  async add(actor: Actor, command: string, description: string): Promise<StdioCommandDto> {
    return this.db.transaction(async (m) => {
      const [row]: Row[] = await m.query(
        `INSERT INTO stdio_commands (command, description, created_by) VALUES ($1, $2, $3)
         ON CONFLICT (command) DO UPDATE SET description = excluded.description
         RETURNING command, description, created_at`,
        [command, description, actor.userId],
      );
      const dto = toDto(row);
      await this.audit.record(m, actor, { tenantId: null, action: 'stdio_command.allow', entityType: 'stdio_command', entityId: command, after: dto });
      return dto;
    });
  }

  async remove(actor: Actor, command: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const [rows]: [Row[], number] = await m.query('DELETE FROM stdio_commands WHERE command = $1 RETURNING command, description, created_at', [command]);
      if (!rows.length) throw AppException.notFound('Allowed command');
      await this.audit.record(m, actor, { tenantId: null, action: 'stdio_command.disallow', entityType: 'stdio_command', entityId: command, before: toDto(rows[0]) });
    });
  }

  async isAllowed(command: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query('SELECT 1 FROM stdio_commands WHERE command = $1', [command]);
    return rows.length > 0;
  }

  async assertAllowed(command: string): Promise<void> {
    if (!(await this.isAllowed(command))) {
      throw new AppException(
        'COMMAND_NOT_ALLOWED',
        `The command "${command}" is not on the platform's stdio allowlist; a platform admin can add it under Settings → Stdio commands (PUT /api/v1/platform/stdio-commands).`,
      );
    }
  }
}

const toDto = (r: Row): StdioCommandDto => ({ command: r.command, description: r.description, createdAt: new Date(r.created_at).toISOString() });
