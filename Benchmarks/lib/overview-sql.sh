# Sourced by the benchmarks that measure TenantOverview's SQL without a gateway (overview-sql.sh,
# gateway-bench.sh): `write_overview_sql ADMIN_DB_URL FILE [pipelined]` writes a pgbench script of the
# ten statements the gateway sends for one TenantOverview of tenant acme (BEGIN READ ONLY, set_config,
# tenant, usage, agents, data products, agent stats, history, lineage, COMMIT): the same texts as the
# gateway's, with the values it binds read from the seeded data through ADMIN_DB_URL; `pipelined` puts
# all ten in one pgbench pipeline (PostgreSQL 14+, `-M extended` or `prepared`). Run it as the
# application role (row-level security on, as for the gateway). Keep the texts in step with
# subgraphs/*/ when their SQL changes (`ALTER DATABASE … SET log_statement = 'all'` and one
# TenantOverview show what the gateway sends).
write_overview_sql() { # ADMIN_DB_URL FILE [pipelined]
  local url="$1" tenant agents streams products
  sql() { psql -X -tA "$url" -c "$1"; }
  tenant=$(sql "SELECT id FROM tenants WHERE slug = 'acme'")
  agents=$(sql "SELECT string_agg(id::text, ',' ORDER BY created_at, id) FROM (SELECT id, created_at FROM agents WHERE tenant_id = '$tenant' ORDER BY created_at, id LIMIT 20) a")
  streams=$(sql "SELECT string_agg('agent-' || id::text, ',' ORDER BY created_at, id) FROM (SELECT id, created_at FROM agents WHERE tenant_id = '$tenant' ORDER BY created_at, id LIMIT 20) a")
  products=$(sql "SELECT string_agg(id::text, ',' ORDER BY name, id) FROM (SELECT id, name FROM data_products WHERE tenant_id = '$tenant' ORDER BY name, id LIMIT 10) p")
  [ -n "$tenant" ] && [ -n "$agents" ] && [ -n "$products" ] || { echo "no demo data for tenant acme" >&2; return 1; }

  {
    [ "${3:-}" = pipelined ] && echo '\startpipeline'
    cat <<SQL
BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;
SELECT set_config('app.tenant_id', '$tenant', true);
SELECT id, slug, name, plan, max_agents, requests_per_minute, max_query_cost, created_at FROM tenants WHERE slug = 'acme';
SELECT t.id AS tenant_id, coalesce(u.active_agents, 0)::int8 AS active_agents, coalesce(u.total_events, 0)::int8 AS total_events, (SELECT coalesce(sum(m.n), 0) FROM tenant_event_minutes m WHERE m.tenant_id = t.id AND m.minute >= date_trunc('minute', now() - interval '24 hours'))::int8 AS n FROM unnest((SELECT '{$tenant}'::uuid[])) AS t(id) LEFT JOIN tenant_usage u ON u.tenant_id = t.id;
SELECT x.* FROM unnest((SELECT '{$tenant}'::uuid[])) AS t(tid) CROSS JOIN LATERAL (SELECT id, tenant_id, name, kind, status, capabilities, created_at FROM agents WHERE tenant_id = t.tid AND ('' = '' OR status = '') ORDER BY created_at, id LIMIT 20) x;
SELECT x.* FROM unnest((SELECT '{$tenant}'::uuid[])) AS t(tid) CROSS JOIN LATERAL (SELECT id, tenant_id, name, domain, description, quality_level, tags, schema::text AS schema, refreshed_at FROM data_products WHERE tenant_id = t.tid ORDER BY name, id LIMIT 10) x;
SELECT agent_id, tasks_completed, tasks_failed, tasks_assigned, last_active_at FROM agent_stats WHERE agent_id = ANY('{$agents}'::uuid[]);
SELECT s.i, event_id, global_position, stream_id, stream_version, type, causation_id, correlation_id, occurred_at FROM unnest((SELECT '{$streams}'::text[])) WITH ORDINALITY AS s(sid, i) CROSS JOIN LATERAL (SELECT * FROM events e WHERE e.stream_id = s.sid ORDER BY e.stream_version DESC LIMIT 5) x;
SELECT p.k, l.v FROM unnest((SELECT '{$products}'::uuid[])) AS p(k) CROSS JOIN LATERAL (SELECT upstream_id AS v FROM data_product_lineage WHERE downstream_id = p.k ORDER BY upstream_id LIMIT 100) l;
COMMIT;
SQL
    [ "${3:-}" = pipelined ] && echo '\endpipeline'
    true
  } > "$2"
}
