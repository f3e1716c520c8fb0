-- The tenant's tasks oldest first, all of them or of one status (`Query.tasks(status:, after:)`):
-- a page reads its `first` rows from the cursor on.
CREATE INDEX tasks_tenant_listing ON tasks (tenant_id, created_at, id);
CREATE INDEX tasks_tenant_status_listing ON tasks (tenant_id, status, created_at, id);
