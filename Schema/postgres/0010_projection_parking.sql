-- Projections never stop on an event they cannot apply: the event is parked (kept here, visible
-- to its tenant with the error) and the checkpoint moves on. A catch-up that fails for any other
-- reason is reported: status FAILED with the error, until a later catch-up succeeds.
CREATE TABLE projection_parked (
  projection       text NOT NULL,
  global_position  bigint NOT NULL,
  event_id         uuid NOT NULL,
  tenant_id        uuid NOT NULL,
  error            text NOT NULL,
  parked_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (projection, global_position)
);
ALTER TABLE projection_parked ENABLE ROW LEVEL SECURITY;
ALTER TABLE projection_parked FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON projection_parked USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
CREATE POLICY projector_write ON projection_parked TO CURRENT_USER USING (true) WITH CHECK (true);

ALTER TABLE projection_checkpoints ADD COLUMN last_error text;

-- Events per tenant and minute (part of tenant_usage): a tenant's events of the last 24 hours are
-- summed from at most 1,441 rows instead of counted from the event log on every read. Minutes
-- older than two days are dropped as the projection goes.
CREATE TABLE tenant_event_minutes (
  tenant_id  uuid NOT NULL,
  minute     timestamptz NOT NULL,
  n          bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, minute)
);
CREATE INDEX tenant_event_minutes_minute ON tenant_event_minutes (minute);
ALTER TABLE tenant_event_minutes ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_event_minutes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_event_minutes USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
CREATE POLICY projector_write ON tenant_event_minutes TO CURRENT_USER USING (true) WITH CHECK (true);
INSERT INTO tenant_event_minutes (tenant_id, minute, n)
SELECT tenant_id, date_trunc('minute', occurred_at), count(*) FROM events
 WHERE occurred_at > now() - interval '2 days' AND global_position <= (SELECT min(position) FROM projection_checkpoints)
 GROUP BY 1, 2;

CREATE OR REPLACE FUNCTION rebuild_projections() RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM 1 FROM projection_checkpoints WHERE name IN ('agent_stats', 'tenant_usage') FOR UPDATE;
  DELETE FROM agent_stats;
  DELETE FROM tenant_usage;
  DELETE FROM tenant_event_minutes;
  DELETE FROM projection_parked;
  UPDATE projection_checkpoints SET position = 0, status = 'REBUILDING', last_error = NULL, updated_at = now()
   WHERE name IN ('agent_stats', 'tenant_usage');
END $$;

-- Applies the events in (p_from, p_to] to both read models (the fold of 0008, unchanged).
CREATE FUNCTION apply_projection_range(p_from bigint, p_to bigint) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  INSERT INTO agent_stats AS s (tenant_id, agent_id, tasks_completed, tasks_failed, tasks_assigned, last_active_at, last_position)
  SELECT e.tenant_id, (e.data->>'agentId')::uuid,
         count(*) FILTER (WHERE e.type = 'TaskCompleted'), count(*) FILTER (WHERE e.type = 'TaskFailed'),
         count(*) FILTER (WHERE e.type IN ('TaskAssigned', 'TaskClaimed')), max(e.occurred_at), max(e.global_position)
    FROM events e
   WHERE e.global_position > p_from AND e.global_position <= p_to
     AND e.data->>'agentId' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
   GROUP BY 1, 2
  ON CONFLICT (tenant_id, agent_id) DO UPDATE SET
    tasks_completed = s.tasks_completed + excluded.tasks_completed,
    tasks_failed = s.tasks_failed + excluded.tasks_failed,
    tasks_assigned = s.tasks_assigned + excluded.tasks_assigned,
    last_active_at = greatest(s.last_active_at, excluded.last_active_at),
    last_position = greatest(s.last_position, excluded.last_position);

  INSERT INTO tenant_usage AS u (tenant_id, active_agents, total_events, last_position)
  SELECT e.tenant_id,
         count(*) FILTER (WHERE e.type = 'AgentSpawned') - count(*) FILTER (WHERE e.type = 'AgentRetired'),
         count(*), max(e.global_position)
    FROM events e WHERE e.global_position > p_from AND e.global_position <= p_to
   GROUP BY 1
  ON CONFLICT (tenant_id) DO UPDATE SET
    active_agents = u.active_agents + excluded.active_agents,
    total_events = u.total_events + excluded.total_events,
    last_position = greatest(u.last_position, excluded.last_position);

  INSERT INTO tenant_event_minutes AS m (tenant_id, minute, n)
  SELECT e.tenant_id, date_trunc('minute', e.occurred_at), count(*)
    FROM events e WHERE e.global_position > p_from AND e.global_position <= p_to AND e.occurred_at > now() - interval '2 days'
   GROUP BY 1, 2
  ON CONFLICT (tenant_id, minute) DO UPDATE SET n = m.n + excluded.n;
END $$;

CREATE OR REPLACE FUNCTION apply_projections(p_limit int) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE cp bigint; top bigint; n bigint; ev record;
BEGIN
  PERFORM 1 FROM projection_checkpoints WHERE name IN ('agent_stats', 'tenant_usage') FOR UPDATE;
  SELECT min(position) INTO cp FROM projection_checkpoints WHERE name IN ('agent_stats', 'tenant_usage');
  SELECT max(global_position), count(*) INTO top, n
    FROM (SELECT global_position FROM events WHERE global_position > cp ORDER BY global_position LIMIT p_limit) b;
  IF n = 0 THEN RETURN 0; END IF;

  -- An agentId that is not a UUID cannot count for an agent: parked, with why.
  INSERT INTO projection_parked (projection, global_position, event_id, tenant_id, error)
  SELECT 'agent_stats', e.global_position, e.event_id, e.tenant_id, 'data.agentId is not a UUID: ' || left(e.data->>'agentId', 100)
    FROM events e
   WHERE e.global_position > cp AND e.global_position <= top AND e.data ? 'agentId'
     AND NOT coalesce(e.data->>'agentId' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', false)
  ON CONFLICT DO NOTHING;

  BEGIN
    PERFORM apply_projection_range(cp, top);
  EXCEPTION WHEN others THEN
    -- The batch failed: one event at a time, parking each that fails with its error.
    FOR ev IN SELECT global_position, event_id, tenant_id FROM events
               WHERE global_position > cp AND global_position <= top ORDER BY global_position LOOP
      BEGIN
        PERFORM apply_projection_range(ev.global_position - 1, ev.global_position);
      EXCEPTION WHEN others THEN
        INSERT INTO projection_parked (projection, global_position, event_id, tenant_id, error)
        VALUES ('agent_stats', ev.global_position, ev.event_id, ev.tenant_id, SQLERRM) ON CONFLICT DO NOTHING;
      END;
    END LOOP;
  END;

  DELETE FROM tenant_event_minutes WHERE minute < now() - interval '2 days';
  UPDATE projection_checkpoints SET position = top, status = 'RUNNING', last_error = NULL, updated_at = now()
   WHERE name IN ('agent_stats', 'tenant_usage');
  RETURN n;
END $$;

-- A catch-up that failed as a whole (not one event): FAILED with the error, for Projection.status.
CREATE FUNCTION projections_failed(p_error text) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  UPDATE projection_checkpoints SET status = 'FAILED', last_error = left(p_error, 1000), updated_at = now()
   WHERE name IN ('agent_stats', 'tenant_usage')
$$;
