-- Tenants and their quotas. Row-level security: a session sees only the tenant set by
-- set_config('app.tenant_id', ...) in its transaction; without one it sees nothing.
CREATE FUNCTION app_tenant() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

CREATE TABLE tenants (
  id                  uuid PRIMARY KEY,
  slug                text NOT NULL UNIQUE,
  name                text NOT NULL,
  plan                text NOT NULL DEFAULT 'free',
  max_agents          int  NOT NULL DEFAULT 10,
  requests_per_minute int  NOT NULL DEFAULT 600,
  max_query_cost      int  NOT NULL DEFAULT 5000,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants USING (id = app_tenant()) WITH CHECK (id = app_tenant());
-- The owner (who runs migrations and owns the SECURITY DEFINER lookups below) may read the
-- tenant directory; the application role may not.
CREATE POLICY owner_directory ON tenants FOR SELECT TO CURRENT_USER USING (true);

-- Resolving a slug (from a development header or a token) happens before a tenant is set.
CREATE FUNCTION tenant_id_for_slug(p_slug text) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
  $$ SELECT id FROM tenants WHERE slug = p_slug $$;

-- Quotas for every tenant, read by the gateway at start and when they change.
CREATE FUNCTION tenant_quotas() RETURNS TABLE (id uuid, slug text, max_agents int, requests_per_minute int, max_query_cost int)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
  $$ SELECT id, slug, max_agents, requests_per_minute, max_query_cost FROM tenants $$;
