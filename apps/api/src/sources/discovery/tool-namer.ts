// The names agents see for discovered tools: the source's template (default `{namespace}__{tool}`) applied to the
// upstream's name, kept within the tool-name alphabet and length, and unique in the tenant.
import { DEFAULT_TOOL_NAME_TEMPLATE } from '@toolgate/contracts';
import { createHash } from 'node:crypto';

const MAX_NAME = 128;

const sanitize = (name: string) => name.replace(/[^A-Za-z0-9_.-]/g, '_');

export class ToolNamer {
  /** Name → the upstream tool of this source that holds it (`null`: a tool of another source). */
  private readonly holders = new Map<string, string | null>();

  constructor(
    private readonly namespace: string,
    private readonly template: string = DEFAULT_TOOL_NAME_TEMPLATE,
    /** Names other sources' tools already have in the tenant. */
    reserved: Iterable<string> = [],
    /**
     * This source's tools as [name, upstream name], removed ones included: a name stays with its tool (old call logs
     * name it), so a newcomer whose name would clash gets a suffixed one instead of failing or renaming a live tool.
     */
    own: Iterable<readonly [string, string]> = [],
  ) {
    for (const name of reserved) this.holders.set(name, null);
    for (const [name, upstream] of own) this.holders.set(name, upstream);
  }

  /** The exposed name of the upstream tool `upstream`; a name held by another tool or an over-long one ends in a short stable hash. */
  name(upstream: string): string {
    const base = sanitize(this.template.replaceAll('{namespace}', this.namespace).replaceAll('{tool}', upstream));
    let name = base;
    for (let attempt = 0; name.length > MAX_NAME || !this.isFree(name, upstream); attempt++) {
      const hash = createHash('sha256').update(`${upstream}\u0000${attempt}`).digest('hex').slice(0, 8);
      name = `${base.slice(0, MAX_NAME - hash.length - 1)}_${hash}`;
    }
    this.holders.set(name, upstream);
    return name;
  }

  private isFree(name: string, upstream: string): boolean {
    const holder = this.holders.get(name);
    return holder === undefined || holder === upstream;
  }
}
