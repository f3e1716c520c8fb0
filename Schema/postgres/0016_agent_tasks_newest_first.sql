-- An agent's tasks newest first, so that `Agent.tasks(first:)` reads `first` rows per agent and
-- stops (the list's LIMIT runs per agent in one statement); replaces the unordered index.
CREATE INDEX tasks_agent_newest ON tasks (agent_id, created_at DESC, id) WHERE agent_id IS NOT NULL;
DROP INDEX tasks_agent;
