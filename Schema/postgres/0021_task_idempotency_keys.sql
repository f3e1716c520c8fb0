-- `submitTask(input: {idempotencyKey:})`: one task per key and tenant.
ALTER TABLE tasks ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX tasks_idempotency_key ON tasks (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
