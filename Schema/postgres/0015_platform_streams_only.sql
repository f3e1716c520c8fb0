-- The read models follow the agents subgraph's own transitions only: events on its streams
-- (`agent-<id>`, `task-<id>`, which clients cannot append to — the events subgraph refuses them).
-- An event a client appends to a stream of its own, whatever its type (`TaskCompleted`,
-- `AgentSpawned`), is the client's fact: it counts in a tenant's total events, not in an agent's
-- stats or the tenant's active agents (any client could forge them before). The fold is
-- otherwise 0014's: one scan of the range feeding the three read models.
CREATE OR REPLACE FUNCTION apply_projection_range(p_from bigint, p_to bigint) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  WITH r AS MATERIALIZED (
    SELECT e.tenant_id, e.type, e.data->>'agentId' AS agent, e.occurred_at, e.global_position,
           (left(e.stream_id, 6) = 'agent-' OR left(e.stream_id, 5) = 'task-') AS platform
      FROM events e WHERE e.global_position > p_from AND e.global_position <= p_to),
  a AS (
    INSERT INTO agent_stats AS s (tenant_id, agent_id, tasks_completed, tasks_failed, tasks_assigned, last_active_at, last_position)
    SELECT r.tenant_id, r.agent::uuid,
           count(*) FILTER (WHERE r.type = 'TaskCompleted'), count(*) FILTER (WHERE r.type = 'TaskFailed'),
           count(*) FILTER (WHERE r.type IN ('TaskAssigned', 'TaskClaimed')), max(r.occurred_at), max(r.global_position)
      FROM r WHERE r.platform AND r.agent ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
     GROUP BY 1, 2
    ON CONFLICT (tenant_id, agent_id) DO UPDATE SET
      tasks_completed = s.tasks_completed + excluded.tasks_completed,
      tasks_failed = s.tasks_failed + excluded.tasks_failed,
      tasks_assigned = s.tasks_assigned + excluded.tasks_assigned,
      last_active_at = greatest(s.last_active_at, excluded.last_active_at),
      last_position = greatest(s.last_position, excluded.last_position)),
  u AS (
    INSERT INTO tenant_usage AS u (tenant_id, active_agents, total_events, last_position)
    SELECT r.tenant_id, count(*) FILTER (WHERE r.platform AND r.type = 'AgentSpawned') - count(*) FILTER (WHERE r.platform AND r.type = 'AgentRetired'),
           count(*), max(r.global_position)
      FROM r GROUP BY 1
    ON CONFLICT (tenant_id) DO UPDATE SET
      active_agents = u.active_agents + excluded.active_agents,
      total_events = u.total_events + excluded.total_events,
      last_position = greatest(u.last_position, excluded.last_position))
  INSERT INTO tenant_event_minutes AS m (tenant_id, minute, n)
  SELECT r.tenant_id, date_bin('1 minute', r.occurred_at, timestamptz 'epoch'), count(*)
    FROM r WHERE r.occurred_at > now() - interval '2 days'
   GROUP BY 1, 2
  ON CONFLICT (tenant_id, minute) DO UPDATE SET n = m.n + excluded.n;
END $$;

-- Only the agents subgraph's events are parked for a bad agentId (a client's own event with one
-- is not the read models' concern); otherwise as in 0012.
CREATE OR REPLACE FUNCTION apply_projections(p_limit int) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE cp bigint; hz bigint; top bigint; n bigint; ev record;
BEGIN
  PERFORM 1 FROM projection_checkpoints WHERE name IN ('agent_stats', 'tenant_usage') FOR UPDATE;
  SELECT min(position) INTO cp FROM projection_checkpoints WHERE name IN ('agent_stats', 'tenant_usage');
  -- Nothing committed past the checkpoint: nothing to fold, and no horizon to wait for (every
  -- position up to the checkpoint is final already).
  IF (SELECT coalesce(max(global_position), 0) FROM events) <= cp THEN RETURN 0; END IF;
  hz := events_horizon();
  SELECT max(global_position), count(*) INTO top, n
    FROM (SELECT global_position FROM events WHERE global_position > cp AND global_position <= hz
          ORDER BY global_position LIMIT p_limit) b;
  IF n = 0 THEN RETURN 0; END IF;

  -- An agentId that is not a UUID cannot count for an agent: parked, with why.
  INSERT INTO projection_parked (projection, global_position, event_id, tenant_id, error)
  SELECT 'agent_stats', e.global_position, e.event_id, e.tenant_id, 'data.agentId is not a UUID: ' || left(e.data->>'agentId', 100)
    FROM events e
   WHERE e.global_position > cp AND e.global_position <= top AND e.data ? 'agentId'
     AND (left(e.stream_id, 6) = 'agent-' OR left(e.stream_id, 5) = 'task-')
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
