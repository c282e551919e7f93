import { z } from 'zod';
import { RoleSchema } from './roles';

export const LoginRequestSchema = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(1).max(200),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

export const MembershipDtoSchema = z.object({
  tenantId: z.uuid(),
  tenantSlug: z.string(),
  tenantName: z.string(),
  role: RoleSchema,
});

export const SessionUserDtoSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  isPlatformAdmin: z.boolean(),
});

export const MeResponseSchema = z.object({
  user: SessionUserDtoSchema,
  memberships: z.array(MembershipDtoSchema),
});
export type MeResponse = z.infer<typeof MeResponseSchema>;

export const LoginResponseSchema = MeResponseSchema.extend({ token: z.string() });
export type LoginResponse = z.infer<typeof LoginResponseSchema>;
