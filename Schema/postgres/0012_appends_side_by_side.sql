-- Appends run side by side. Each takes the append lock in shared mode, from before it draws its
-- first position until it ends, so appends no longer wait for one another: the insert of their
-- rows was the event store's one-at-a-time section. Positions are still drawn in order, but an
-- append may now commit after another that drew later positions, so a reader that follows
-- positions ("everything after N") reads only up to a horizon below which every position is
-- final: events_horizon() takes the lock exclusively (no append is then between drawing a
-- position and ending), reads the newest position and lets go. The statement that reads must
-- take its snapshot after the horizon was read: READ COMMITTED, in a statement after it. While a
-- horizon waits for the appends in flight, new appends wait behind it: readers ask for one only
-- when something was committed past where they are.
CREATE OR REPLACE FUNCTION lock_events_append() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(7242002);
  RETURN NULL;
END $$;

CREATE FUNCTION events_horizon() RETURNS bigint
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
DECLARE h bigint;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    -- A snapshot taken before the lock would not see appends that ended while it waited.
    RAISE EXCEPTION 'events_horizon() reads in READ COMMITTED only (here: %)', current_setting('transaction_isolation');
  END IF;
  -- The lock is taken in a block that is always rolled back, so it goes with the block however
  -- the block ends (a session lock could outlive a cancel that struck between taking and freeing it).
  BEGIN
    PERFORM pg_advisory_xact_lock(7242002);
    SELECT coalesce(max(global_position), 0) INTO h FROM events;
    RAISE SQLSTATE 'SYHZN';
  EXCEPTION WHEN SQLSTATE 'SYHZN' THEN NULL;
  END;
  RETURN h;
END $$;

-- The projections fold up to the horizon (otherwise as in 0010).
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
