// Every message module, merged once. A new feature adds its module to this list;
// the modules of all planned console sections are already here, so adding strings
// to a feature means editing only that feature's file in messages/.
import { mergeMessages } from './define-messages';
import { auditMessages } from './messages/audit';
import { authMessages } from './messages/auth';
import { callLogsMessages } from './messages/call-logs';
import { commonMessages } from './messages/common';
import { dashboardsMessages } from './messages/dashboards';
import { groupsMessages } from './messages/groups';
import { keysMessages } from './messages/keys';
import { membersMessages } from './messages/members';
import { playgroundMessages } from './messages/playground';
import { shellMessages } from './messages/shell';
import { sourcesMessages } from './messages/sources';
import { tenantsMessages } from './messages/tenants';
import { toolsMessages } from './messages/tools';
import { uiMessages } from './messages/ui';
import { usageMessages } from './messages/usage';

export const dictionaries = mergeMessages([
  commonMessages,
  uiMessages,
  authMessages,
  shellMessages,
  groupsMessages,
  keysMessages,
  toolsMessages,
  sourcesMessages,
  playgroundMessages,
  callLogsMessages,
  dashboardsMessages,
  usageMessages,
  auditMessages,
  tenantsMessages,
  membersMessages,
]);
