// Step: resolve the requested name to one of the group's tools, or refuse with the closest names.
import { Injectable } from '@nestjs/common';
import { GroupCatalogService, ExposedTool } from '../catalog/group-catalog.service';
import { RpcCode } from '../protocol/jsonrpc';
import { CallRefusal, Caller } from './call-types';
import { suggest } from './tool-name-suggester';

@Injectable()
export class ResolveTool {
  constructor(private readonly catalog: GroupCatalogService) {}

  /** The tools this caller may see and call: the group's enabled tools, narrowed by the key's allowlist. */
  async visibleTools(caller: Caller): Promise<ExposedTool[]> {
    const { tools } = await this.catalog.get(caller.group.id);
    const allow = caller.key.toolAllowlist;
    return allow ? tools.filter((t) => allow.includes(t.name)) : tools;
  }

  /**
   * Unknown names, tools outside the key's allowlist and disabled tools get the same answer,
   * with suggestions drawn only from what the key may call: nothing leaks about the rest.
   */
  async resolve(caller: Caller, name: unknown): Promise<ExposedTool> {
    if (typeof name !== 'string' || name.length === 0) {
      throw new CallRefusal('invalid_arguments', 'INVALID_PARAMS', 'tools/call needs "name": the tool to call.', 'rpc-error', RpcCode.INVALID_PARAMS);
    }
    const { byName } = await this.catalog.get(caller.group.id);
    const tool = byName.get(name);
    const allow = caller.key.toolAllowlist;
    if (tool && (!allow || allow.includes(tool.name))) return tool;
    const visible = (await this.visibleTools(caller)).map((t) => t.name);
    const close = suggest(name, visible);
    const hint = close.length ? ` Did you mean ${close.map((n) => `"${n}"`).join(', ')}?` : ' Call tools/list to see the tools you can call.';
    throw new CallRefusal(tool ? 'denied' : 'not_found', 'UNKNOWN_TOOL', `Unknown tool "${name}".${hint}`, 'rpc-error', RpcCode.INVALID_PARAMS, {
      suggestions: close,
    });
  }
}
