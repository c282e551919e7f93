import { editDistance, suggest, ToolNameSuggester } from './tool-name-suggester';

const tools = ['crm_lookup', 'crm_create_ticket', 'crm_update_ticket', 'crm_list_orders', 'weather_forecast', 'get_user', 'get_users'];

describe('suggest', () => {
  it('offers the names a typo away', () => {
    expect(suggest('crm_lokup', tools)).toEqual(['crm_lookup']);
    expect(suggest('weather_forcast', tools)).toEqual(['weather_forecast']);
  });

  it('ignores case', () => {
    expect(suggest('CRM_Lookup', tools)).toEqual(['crm_lookup']);
  });

  it('counts a swap of two neighbouring letters as one edit', () => {
    expect(editDistance('crm_lookpu', 'crm_lookup')).toBe(1);
    expect(suggest('crm_lookpu', tools)).toEqual(['crm_lookup']);
  });

  it('orders by closeness, then by name, and stops at max', () => {
    expect(suggest('get_usr', tools)).toEqual(['get_user', 'get_users']);
    expect(suggest('crm_update_tiket', tools)).toEqual(['crm_update_ticket', 'crm_create_ticket']);
    expect(suggest('get_usr', tools, 1)).toEqual(['get_user']);
    expect(suggest('get_usr', tools, 0)).toEqual([]);
  });

  it('finds names that start with or contain the one asked for, after the typo matches', () => {
    expect(suggest('lookup', tools)).toEqual(['crm_lookup']);
    expect(suggest('weather', tools)).toEqual(['weather_forecast']);
    expect(suggest('crm_list', tools)).toEqual(['crm_list_orders']);
    expect(suggest('ticket', tools)).toEqual(['crm_create_ticket', 'crm_update_ticket']);
    expect(suggest('my_crm_lookup_tool', tools)).toEqual(['crm_lookup']);
  });

  it('suggests nothing unrelated', () => {
    expect(suggest('send_email', tools)).toEqual([]);
    expect(suggest('x', tools)).toEqual([]);
    expect(suggest('', tools)).toEqual([]);
    expect(suggest('crm_lookup', [])).toEqual([]);
  });

  it('lists each name once, and gives up on absurdly long names', () => {
    expect(suggest('crm_lokup', ['crm_lookup', 'crm_lookup'])).toEqual(['crm_lookup']);
    expect(suggest('a'.repeat(10_000), ['a'.repeat(10_000)])).toEqual([]);
  });

  it('measures Damerau-Levenshtein (optimal string alignment) distance', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ca', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting', 1)).toBe(2);
    expect(editDistance('a'.repeat(100), 'b'.repeat(100))).toBe(100);
  });

  it('is also a provider', () => {
    expect(new ToolNameSuggester().suggest('crm_lokup', tools)).toEqual(['crm_lookup']);
  });
});
