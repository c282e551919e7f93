import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { StdioCommandSchema } from '@toolgate/contracts';
import { z } from 'zod';
import { CurrentActor, PlatformAdminOnly } from '../../auth/access.decorators';
import type { Actor } from '../../auth/access.types';
import { ApiZodBody, zod } from '../../common/http/zod.pipe';
import { StdioCommandsService } from './stdio-commands.service';

@ApiTags('platform')
@Controller('api/v1/platform/stdio-commands')
export class StdioCommandsController {
  constructor(private readonly commands: StdioCommandsService) {}

  @Get()
  @PlatformAdminOnly()
  async list() {
    return { items: await this.commands.list() };
  }

  /** Adds a command (or updates its description). Idempotent. */
  @Put()
  @PlatformAdminOnly()
  @ApiZodBody(StdioCommandSchema)
  add(@CurrentActor() actor: Actor, @Body(zod(StdioCommandSchema)) body: z.infer<typeof StdioCommandSchema>) {
    return this.commands.add(actor, body.command, body.description);
  }

  @Delete(':command')
  @HttpCode(204)
  @PlatformAdminOnly()
  async remove(@CurrentActor() actor: Actor, @Param('command') command: string) {
    await this.commands.remove(actor, command);
  }
}
