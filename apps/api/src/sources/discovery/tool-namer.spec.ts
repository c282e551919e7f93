import { TOOL_NAME_PATTERN } from '@toolgate/contracts';
import { ToolNamer } from './tool-namer';

const HASHED = (base: string) => new RegExp(`^${base.replace(/[.]/g, '\\.')}_[0-9a-f]{8}$`);

describe('ToolNamer', () => {
  it('names a tool <namespace>__<tool> by default', () => {
    const namer = new ToolNamer('crm');
    expect(namer.name('get_user')).toBe('crm__get_user');
    expect(namer.name('list-tasks')).toBe('crm__list-tasks');
  });

  it('applies the source template, {namespace} and {tool} anywhere, every time they appear', () => {
    expect(new ToolNamer('crm', 'acme.{tool}').name('get_user')).toBe('acme.get_user');
    expect(new ToolNamer('crm', '{tool}_via_{namespace}').name('get_user')).toBe('get_user_via_crm');
    expect(new ToolNamer('crm', '{namespace}-{tool}-{namespace}').name('x')).toBe('crm-x-crm');
  });

  it('replaces characters outside the tool-name alphabet with "_"', () => {
    const name = new ToolNamer('api').name('complete task!/now');
    expect(name).toBe('api__complete_task__now');
    expect(name).toMatch(new RegExp(TOOL_NAME_PATTERN));
  });

  it('gives a name held by another source a short stable suffix', () => {
    const name = new ToolNamer('crm', '{tool}', ['echo']).name('echo');
    expect(name).toMatch(HASHED('echo'));
    // Stable: the same clash gives the same name next time.
    expect(new ToolNamer('crm', '{tool}', ['echo']).name('echo')).toBe(name);
    expect(new ToolNamer('crm', '{tool}', ['other']).name('echo')).toBe('echo');
  });

  it('keeps names unique within one discovery: two upstream names that sanitize alike get different names', () => {
    const namer = new ToolNamer('ns');
    const first = namer.name('a b');
    const second = namer.name('a_b');
    expect(first).toBe('ns__a_b');
    expect(second).toMatch(HASHED('ns__a_b'));
    expect(second).not.toBe(first);
  });

  it('leaves a name with the tool that holds it: the holder keeps it, a newcomer gets a suffix whatever the order', () => {
    // "a b" already has ns__a_b (live or removed); the upstream now also lists "a_b", before it.
    const namer = new ToolNamer('ns', undefined, [], [['ns__a_b', 'a b']]);
    expect(namer.name('a_b')).toMatch(HASHED('ns__a_b'));
    expect(namer.name('a b')).toBe('ns__a_b');
  });

  it('renames a tool under a new template, but never onto a name another tool of the source still holds', () => {
    expect(new ToolNamer('ns', 'v2.{tool}', [], [['ns__echo', 'echo']]).name('echo')).toBe('v2.echo');
    // "ping" is the name of the source's (removed) tool "old-ping": the upstream's new "ping" cannot have it.
    expect(new ToolNamer('ns', '{tool}', [], [['ping', 'old-ping']]).name('ping')).toMatch(HASHED('ping'));
  });

  it('keeps names within 128 characters with a hash that tells long names apart', () => {
    const namer = new ToolNamer('ns');
    const a = namer.name(`${'x'.repeat(200)}a`);
    const b = namer.name(`${'x'.repeat(200)}b`);
    for (const name of [a, b]) {
      expect(name.length).toBeLessThanOrEqual(128);
      expect(name).toMatch(new RegExp(TOOL_NAME_PATTERN));
      expect(name.startsWith('ns__xxxx')).toBe(true);
    }
    expect(a).not.toBe(b);
  });
});
