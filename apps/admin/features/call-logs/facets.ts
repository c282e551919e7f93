// Names for the ids a call log carries (group, key, tool), for the filters and the table. One endpoint serves
// everyone who may read logs (GET /call-logs/facets): auditors may not read configuration, but they see names.
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { callLogFacetsQueryOptions } from './queries';

export interface Facet {
  id: string;
  name: string;
}

export interface KeyFacet extends Facet {
  groupId: string | null;
  prefix: string | null;
}

export interface LogFacets {
  groups: Facet[];
  keys: KeyFacet[];
  tools: Facet[];
  isPending: boolean;
  groupName(id: string | null): string | null;
  keyName(id: string | null): string | null;
}

const byName = (a: Facet, b: Facet) => a.name.localeCompare(b.name);

export function useLogFacets(): LogFacets {
  const facets = useQuery(callLogFacetsQueryOptions());

  return useMemo(() => {
    const groupList: Facet[] = (facets.data?.groups ?? []).map((g) => ({ id: g.id, name: g.name }));
    const keyList: KeyFacet[] = (facets.data?.keys ?? []).map((k) => ({ id: k.id, name: k.name, groupId: k.groupId, prefix: k.prefix }));
    const toolList: Facet[] = (facets.data?.tools ?? []).map((tool) => ({ id: tool.id, name: tool.name }));
    groupList.sort(byName);
    keyList.sort(byName);
    toolList.sort(byName);
    const groupNames = new Map(groupList.map((g) => [g.id, g.name]));
    const keyNames = new Map(keyList.map((k) => [k.id, k.name]));
    return {
      groups: groupList,
      keys: keyList,
      tools: toolList,
      isPending: facets.isPending,
      groupName: (id) => (id ? (groupNames.get(id) ?? null) : null),
      keyName: (id) => (id ? (keyNames.get(id) ?? null) : null),
    };
  }, [facets.data, facets.isPending]);
}
