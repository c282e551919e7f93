// Where a source's pages live, and a tool's (the catalog's detail page).
export const sourceHref = (id: string) => `/sources/${encodeURIComponent(id)}`;
export const editSourceHref = (id: string) => `${sourceHref(id)}/edit`;
export const toolHref = (id: string) => `/tools/${encodeURIComponent(id)}`;
