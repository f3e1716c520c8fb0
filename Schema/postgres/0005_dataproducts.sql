-- array_to_string is STABLE in general (element output functions); for text[] it is immutable.
CREATE FUNCTION tags_text(text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  $$ SELECT array_to_string($1, ' ') $$;

CREATE TABLE data_products (
  id             uuid PRIMARY KEY,
  tenant_id      uuid NOT NULL REFERENCES tenants(id),
  name           text NOT NULL,
  domain         text NOT NULL,
  description    text NOT NULL DEFAULT '',
  quality_level  text NOT NULL DEFAULT 'BRONZE',
  tags           text[] NOT NULL DEFAULT '{}',
  schema         jsonb NOT NULL DEFAULT '{}',
  refreshed_at   timestamptz NOT NULL DEFAULT now(),
  created_at     timestamptz NOT NULL DEFAULT now(),
  search         tsvector GENERATED ALWAYS AS (
                   setweight(to_tsvector('english', coalesce(name, '')), 'A') ||
                   setweight(to_tsvector('english', coalesce(description, '')), 'B') ||
                   setweight(to_tsvector('english', tags_text(tags)), 'C')) STORED
);
CREATE INDEX data_products_tenant ON data_products (tenant_id, name, id);
CREATE INDEX data_products_search ON data_products USING gin (search);
ALTER TABLE data_products ENABLE ROW LEVEL SECURITY;
ALTER TABLE data_products FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON data_products USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

CREATE TABLE data_product_lineage (
  tenant_id      uuid NOT NULL,
  upstream_id    uuid NOT NULL REFERENCES data_products(id) ON DELETE CASCADE,
  downstream_id  uuid NOT NULL REFERENCES data_products(id) ON DELETE CASCADE,
  PRIMARY KEY (upstream_id, downstream_id)
);
CREATE INDEX lineage_downstream ON data_product_lineage (downstream_id);
ALTER TABLE data_product_lineage ENABLE ROW LEVEL SECURITY;
ALTER TABLE data_product_lineage FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON data_product_lineage USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
