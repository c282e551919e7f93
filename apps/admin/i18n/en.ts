// English, the reference dictionary: its keys define MessageKey, and every
// other locale must translate all of them.
export const en = {
  'app.name': 'Toolgate',
  'app.tagline': 'Admin console',

  'common.loading': 'Loading…',
  'common.retry': 'Try again',
  'common.comingSoon': 'Coming soon',
  'common.comingSoonBody': 'This page is planned for a later release.',

  'errors.network': 'Cannot reach the Toolgate API. Check your connection and try again.',
  'errors.unexpected': 'Something went wrong. Please try again.',
  'errors.requestId': 'Request ID: {requestId}',

  'locale.label': 'Language',
  'locale.en': 'English',
  'locale.zh': '简体中文',

  'login.title': 'Sign in',
  'login.email': 'Email',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.submitting': 'Signing in…',

  'shell.tenant': 'Tenant',
  'shell.logout': 'Log out',
  'shell.mainNav': 'Main navigation',
  'shell.sessionError': 'Could not load your session.',
  'shell.noTenantTitle': 'No tenant access',
  'shell.noTenantBody': 'Your account is not a member of any tenant yet. Ask a tenant owner to invite you.',

  'role.owner': 'Owner',
  'role.admin': 'Admin',
  'role.auditor': 'Auditor',
  'role.viewer': 'Viewer',

  'nav.groups': 'Groups',
  'nav.keys': 'Keys',
  'nav.tools': 'Tools',
  'nav.logs': 'Call logs',
  'nav.audit': 'Audit',

  'groups.title': 'Tool groups',
  'groups.intro': 'Each tool group is an MCP endpoint that gives an agent only the tools in that group.',
  'groups.loading': 'Loading tool groups',
  'groups.loadError': 'Could not load tool groups.',
  'groups.emptyTitle': 'No tool groups yet',
  'groups.emptyBody': 'Tool groups will be listed here with the MCP endpoint each agent connects to.',
  'groups.colName': 'Name',
  'groups.colEndpoint': 'MCP endpoint',
  'groups.colStatus': 'Status',
  'groups.colUpdated': 'Updated',
  'groups.enabled': 'Enabled',
  'groups.disabled': 'Disabled',
  'groups.copy': 'Copy',
  'groups.copied': 'Copied',
  'groups.copyLabel': 'Copy the MCP endpoint of {name}',
} satisfies Record<string, string>;

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;
