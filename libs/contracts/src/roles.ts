// Membership roles and what each may do; the API's guards and the console's navigation both read this.
import { z } from 'zod';

export const ROLES = ['owner', 'admin', 'auditor', 'viewer'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/** Permission sets used on routes. Platform admins pass every check. */
export const PERMISSIONS = {
  /** Read groups, tools, sources and key metadata (never key secrets). */
  readConfig: ['owner', 'admin', 'viewer'],
  /** Create, change or delete groups, keys, tools, sources. */
  writeConfig: ['owner', 'admin'],
  /** Read call logs and audit events: auditors read these and nothing else. */
  readLogs: ['owner', 'admin', 'auditor'],
  /** Manage the tenant itself and its members. */
  manageTenant: ['owner'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;
