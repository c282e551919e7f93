// Tenants, people, tool groups, keys, sources, tools and audit events.
import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763683200000 implements MigrationInterface {
  name = 'InitialSchema1763683200000';

  async up(q: QueryRunner): Promise<void> {
    // No extension: gen_random_uuid() is built into PostgreSQL 13 and later, so `down` has nothing to leave behind.
    await q.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL UNIQUE,
        name text NOT NULL,
        network_allowlist jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        name text NOT NULL,
        password_hash text NOT NULL,
        is_platform_admin boolean NOT NULL DEFAULT false,
        failed_login_count integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`);

    await q.query(`
      CREATE TABLE memberships (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'auditor', 'viewer')),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, user_id)
      )`);
    await q.query(`CREATE INDEX memberships_user_idx ON memberships (user_id)`);

    // One row per console sign-in: logout and password changes revoke it, so a copied JWT dies with it.
    await q.query(`
      CREATE TABLE admin_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        ip text,
        user_agent text,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX admin_sessions_user_idx ON admin_sessions (user_id)`);

    await q.query(`
      CREATE TABLE tool_groups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        server_code text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        allowed_roles jsonb NOT NULL DEFAULT '[]',
        allowed_user_tiers jsonb NOT NULL DEFAULT '[]',
        rate_limit jsonb NOT NULL DEFAULT '{}',
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tool_groups_server_code_key UNIQUE (server_code),
        CONSTRAINT tool_groups_tenant_name_key UNIQUE (tenant_id, name),
        CONSTRAINT tool_groups_server_code_slug CHECK (server_code ~ '^[a-z0-9]([a-z0-9_-]{0,62}[a-z0-9])?$')
      )`);

    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        group_id uuid NOT NULL REFERENCES tool_groups(id) ON DELETE CASCADE,
        name text NOT NULL,
        key_prefix text NOT NULL,
        key_hash bytea NOT NULL,
        last4 text NOT NULL,
        tool_allowlist jsonb,
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz,
        rotated_from_id uuid REFERENCES api_keys(id) ON DELETE SET NULL,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT api_keys_prefix_key UNIQUE (key_prefix)
      )`);
    await q.query(`CREATE INDEX api_keys_group_idx ON api_keys (tenant_id, group_id)`);

    await q.query(`
      CREATE TABLE tool_sources (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('builtin', 'mcp_stdio', 'mcp_http', 'mcp_sse', 'http')),
        name text NOT NULL,
        namespace text NOT NULL,
        config jsonb NOT NULL DEFAULT '{}',
        secrets_encrypted text,
        secret_names jsonb NOT NULL DEFAULT '[]',
        enabled boolean NOT NULL DEFAULT true,
        status text NOT NULL DEFAULT 'unknown',
        last_error text,
        last_refreshed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tool_sources_namespace_key UNIQUE (tenant_id, namespace)
      )`);

    await q.query(`
      CREATE TABLE tools (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        source_id uuid NOT NULL REFERENCES tool_sources(id) ON DELETE CASCADE,
        name text NOT NULL,
        title text,
        description text NOT NULL DEFAULT '',
        input_schema jsonb NOT NULL DEFAULT '{"type":"object"}',
        output_schema jsonb,
        annotations jsonb NOT NULL DEFAULT '{}',
        version integer NOT NULL DEFAULT 1,
        schema_hash text NOT NULL,
        timeout_seconds integer NOT NULL DEFAULT 30 CHECK (timeout_seconds BETWEEN 1 AND 3600),
        config_data jsonb NOT NULL DEFAULT '{}',
        redaction_paths jsonb NOT NULL DEFAULT '[]',
        enabled boolean NOT NULL DEFAULT false,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tools_tenant_name_key UNIQUE (tenant_id, name)
      )`);
    await q.query(`CREATE INDEX tools_source_idx ON tools (tenant_id, source_id)`);

    await q.query(`
      CREATE TABLE tool_group_tools (
        group_id uuid NOT NULL REFERENCES tool_groups(id) ON DELETE CASCADE,
        tool_id uuid NOT NULL REFERENCES tools(id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        alias text,
        description text,
        enabled boolean NOT NULL DEFAULT true,
        timeout_seconds integer CHECK (timeout_seconds BETWEEN 1 AND 3600),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, tool_id)
      )`);
    await q.query(`CREATE UNIQUE INDEX tool_group_tools_alias_key ON tool_group_tools (group_id, alias) WHERE alias IS NOT NULL`);
    await q.query(`CREATE INDEX tool_group_tools_tool_idx ON tool_group_tools (tool_id)`);

    await q.query(`
      CREATE TABLE audit_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid REFERENCES tenants(id) ON DELETE SET NULL,
        actor_user_id uuid,
        actor_email text,
        action text NOT NULL,
        entity_type text NOT NULL,
        entity_id text,
        before jsonb,
        after jsonb,
        ip text,
        request_id text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_events_tenant_time_idx ON audit_events (tenant_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX audit_events_entity_idx ON audit_events (tenant_id, entity_type, entity_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['audit_events', 'tool_group_tools', 'tools', 'tool_sources', 'api_keys', 'tool_groups', 'admin_sessions', 'memberships', 'users', 'tenants']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
