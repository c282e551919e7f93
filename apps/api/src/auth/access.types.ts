import type { Permission, Role } from '@toolgate/contracts';

/** The signed-in console user, as the JWT strategy resolves it. */
export interface Actor {
  userId: string;
  email: string;
  name: string;
  isPlatformAdmin: boolean;
  sessionId: string;
  ip: string | null;
  requestId: string;
}

/** An actor acting inside one tenant: every tenant-scoped service call takes this. */
export interface TenantScope extends Actor {
  tenantId: string;
  /** The membership role; platform admins without a membership act as `owner`. */
  role: Role;
}

export type AccessRule =
  | { kind: 'public' }
  | { kind: 'authenticated' }
  | { kind: 'platform-admin' }
  | { kind: 'permission'; permission: Permission };
