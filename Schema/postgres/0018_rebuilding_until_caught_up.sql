-- A rebuild reports REBUILDING until the replay has caught up (Projection.status: "REBUILDING,
-- then RUNNING"): a full batch keeps it, the batch that is not full (or finds nothing left up to the
-- store's horizon) makes it RUNNING. It said RUNNING after the first batch of 5,000 events, while
-- lag was still large, so a client waiting for RUNNING read partial stats. Otherwise as in 0015.
CREATE OR REPLACE FUNCTION projections_caught_up() RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  UPDATE projection_checkpoints SET status = 'RUNNING', updated_at = now()
   WHERE name IN ('agent_stats', 'tenant_usage') AND status = 'REBUILDING';
$$;

CREATE OR REPLACE FUNCTION apply_projections(p_limit int) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE cp bigint; hz bigint; top bigint; n bigint; ev record;
BEGIN
  PERFORM 1 FROM projection_checkpoints WHERE name IN ('agent_stats', 'tenant_usage') FOR UPDATE;
  SELECT min(position) INTO cp FROM projection_checkpoints WHERE name IN ('agent_stats', 'tenant_usage');
  -- Nothing committed past the checkpoint: nothing to fold, and no horizon to wait for (every
  -- position up to the checkpoint is final already).
  IF (SELECT coalesce(max(global_position), 0) FROM events) <= cp THEN
    PERFORM projections_caught_up();
    RETURN 0;
  END IF;
  hz := events_horizon();
  SELECT max(global_position), count(*) INTO top, n
    FROM (SELECT global_position FROM events WHERE global_position > cp AND global_position <= hz
          ORDER BY global_position LIMIT p_limit) b;
  IF n = 0 THEN
    PERFORM projections_caught_up();
    RETURN 0;
  END IF;

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
  -- A rebuild stays REBUILDING while its batches come full (more is left to replay).
  UPDATE projection_checkpoints
     SET position = top, status = CASE WHEN status = 'REBUILDING' AND n >= p_limit THEN 'REBUILDING' ELSE 'RUNNING' END,
         last_error = NULL, updated_at = now()
   WHERE name IN ('agent_stats', 'tenant_usage');
  RETURN n;
END $$;
