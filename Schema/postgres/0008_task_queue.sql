-- The task queue: submitted tasks wait PENDING until available_at; an agent claims the
-- highest-priority one it can do (FOR UPDATE SKIP LOCKED) with a lease; a failed or expired
-- attempt is retried after an exponential backoff until max_attempts, then DEAD.
ALTER TABLE tasks
  ADD COLUMN capability       text,
  ADD COLUMN payload          jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN attempts         int NOT NULL DEFAULT 0,
  ADD COLUMN max_attempts     int NOT NULL DEFAULT 1,
  ADD COLUMN backoff_ms       int NOT NULL DEFAULT 1000,
  ADD COLUMN available_at     timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN lease_expires_at timestamptz,
  ADD COLUMN last_error       text;
CREATE INDEX tasks_queue ON tasks (tenant_id, priority DESC, created_at, id) WHERE status = 'PENDING';
CREATE INDEX tasks_leases ON tasks (tenant_id, lease_expires_at) WHERE status = 'CLAIMED';

-- Projections: a claim counts as an assignment; an agentId that is not a UUID is skipped
-- (one malformed event must never stop every tenant's read models).
CREATE OR REPLACE FUNCTION apply_projections(p_limit int) RETURNS bigint
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
         count(*) FILTER (WHERE e.type IN ('TaskAssigned', 'TaskClaimed')), max(e.occurred_at), max(e.global_position)
    FROM events e
   WHERE e.global_position > cp AND e.global_position <= top
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
