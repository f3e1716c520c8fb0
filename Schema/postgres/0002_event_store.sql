-- The event store: an append-only log, ordered globally by position and per stream by version.
CREATE TABLE events (
  global_position bigserial PRIMARY KEY,
  tenant_id       uuid NOT NULL,
  event_id        uuid NOT NULL UNIQUE,
  stream_id       text NOT NULL,
  stream_version  int  NOT NULL,
  type            text NOT NULL,
  data            jsonb NOT NULL DEFAULT '{}',
  metadata        jsonb NOT NULL DEFAULT '{}',
  causation_id    uuid,
  correlation_id  uuid,
  occurred_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, stream_id, stream_version)
);
CREATE INDEX events_tenant_type ON events (tenant_id, type, global_position);
CREATE INDEX events_tenant_time ON events (tenant_id, occurred_at);
CREATE INDEX events_tenant_position ON events (tenant_id, global_position);
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON events USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

CREATE TABLE snapshots (
  tenant_id      uuid NOT NULL,
  stream_id      text NOT NULL,
  stream_version int  NOT NULL,
  state          jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, stream_id, stream_version)
);
ALTER TABLE snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE snapshots FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON snapshots USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Projections wake on this notification instead of polling.
CREATE FUNCTION notify_events_appended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('events_appended', (SELECT max(global_position)::text FROM new_events));
  RETURN NULL;
END $$;
CREATE TRIGGER events_appended AFTER INSERT ON events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION notify_events_appended();
