-- An append refused for its expected version inserts no row (its version check and insert are one
-- statement), but statement triggers still fire: the append notification is sent only when rows
-- were appended, so that a refused append does not wake the projections and every live event feed.
CREATE OR REPLACE FUNCTION notify_events_appended() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE top bigint;
BEGIN
  SELECT max(global_position) INTO top FROM new_events;
  IF top IS NOT NULL THEN
    PERFORM pg_notify('events_appended', top::text);
  END IF;
  RETURN NULL;
END $$;
