-- Checkpoints are global (one runner folds every tenant's events), read models per tenant.
CREATE TABLE projection_checkpoints (
  name        text PRIMARY KEY,
  position    bigint NOT NULL DEFAULT 0,
  status      text NOT NULL DEFAULT 'RUNNING',
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agent_stats (
  tenant_id        uuid NOT NULL,
  agent_id         uuid NOT NULL,
  tasks_completed  int NOT NULL DEFAULT 0,
  tasks_failed     int NOT NULL DEFAULT 0,
  tasks_assigned   int NOT NULL DEFAULT 0,
  last_active_at   timestamptz,
  last_position    bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, agent_id)
);
ALTER TABLE agent_stats ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_stats FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON agent_stats USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

CREATE TABLE tenant_usage (
  tenant_id      uuid PRIMARY KEY,
  active_agents  int NOT NULL DEFAULT 0,
  total_events   bigint NOT NULL DEFAULT 0,
  last_position  bigint NOT NULL DEFAULT 0
);
ALTER TABLE tenant_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_usage FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_usage USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
