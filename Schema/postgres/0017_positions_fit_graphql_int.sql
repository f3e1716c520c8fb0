-- Global positions are GraphQL `Int`s (32-bit signed) in the API: an event stored past
-- 2^31 − 1 could not be read back, and its append would commit and then fail to answer its
-- positions (the client, told it failed, would append again). The store refuses such an event
-- instead: the append's statement fails whole and nothing of it is written (the gateway answers
-- EVENT_STORE_FULL). NOT VALID: rows already stored are below the bound (they could not have
-- been read otherwise) and are not scanned again.
ALTER TABLE events ADD CONSTRAINT events_position_fits_graphql_int CHECK (global_position <= 2147483647) NOT VALID;
