-- Event positions must become visible in order, or a projection reading "after position N"
-- could skip an event whose transaction commits late. Appends take a transaction lock first.
CREATE FUNCTION lock_events_append() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7242002);
  RETURN NULL;
END $$;
CREATE TRIGGER events_serialize BEFORE INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION lock_events_append();

-- The projection runner folds every tenant's events: it runs as the owner (SECURITY DEFINER),
-- which these policies let read events and write read models; the app role still cannot.
CREATE POLICY projector_read ON events FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY projector_write ON agent_stats TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY projector_write ON tenant_usage TO CURRENT_USER USING (true) WITH CHECK (true);

INSERT INTO projection_checkpoints (name) VALUES ('agent_stats'), ('tenant_usage') ON CONFLICT DO NOTHING;

-- Applies up to p_limit events after the checkpoint to both read models and moves the
-- checkpoint, in one transaction: each event is applied exactly once (idempotent by position).
CREATE FUNCTION apply_projections(p_limit int) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE cp bigint; top bigint; n bigint;
BEGIN
  PERFORM 1 FROM projection_checkpoints WHERE name IN ('agent_stats', 'tenant_usage') FOR UPDATE;
  SELECT min(position) INTO cp FROM projection_checkpoints WHERE name IN ('agent_stats', 'tenant_usage');
  SELECT max(global_position), count(*) INTO top, n
    FROM (SELECT global_position FROM events WHERE global_position > cp ORDER BY global_position LIMIT p_limit) b;
  IF n = 0 THEN RETURN 0; END IF;

  INSERT INTO agent_stats AS s (tenant_id, agent_id, tasks_completed, tasks_failed, tasks_assigned, last_active_at, last_position)
  SELECT e.tenant_id, (e.data->>'agentId')::uuid,
         count(*) FILTER (WHERE e.type = 'TaskCompleted'), count(*) FILTER (WHERE e.type = 'TaskFailed'),
         count(*) FILTER (WHERE e.type = 'TaskAssigned'), max(e.occurred_at), max(e.global_position)
    FROM events e
   WHERE e.global_position > cp AND e.global_position <= top AND e.data ? 'agentId'
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
    FROM events e WHERE e.global_position > cp AND e.global_position <= top
   GROUP BY 1
  ON CONFLICT (tenant_id) DO UPDATE SET
    active_agents = u.active_agents + excluded.active_agents,
    total_events = u.total_events + excluded.total_events,
    last_position = greatest(u.last_position, excluded.last_position);

  UPDATE projection_checkpoints SET position = top, status = 'RUNNING', updated_at = now()
   WHERE name IN ('agent_stats', 'tenant_usage');
  RETURN n;
END $$;

-- Clears the read models and rewinds the checkpoints; the runner then catches up from zero.
CREATE FUNCTION rebuild_projections() RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM 1 FROM projection_checkpoints WHERE name IN ('agent_stats', 'tenant_usage') FOR UPDATE;
  DELETE FROM agent_stats;
  DELETE FROM tenant_usage;
  UPDATE projection_checkpoints SET position = 0, status = 'REBUILDING', updated_at = now()
   WHERE name IN ('agent_stats', 'tenant_usage');
END $$;

-- The newest position of the whole store (for lag), readable by the app role.
CREATE FUNCTION events_head() RETURNS bigint
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
  $$ SELECT coalesce(max(global_position), 0) FROM events $$;
