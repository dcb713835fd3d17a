-- One idempotency design for every service (libs/db/idempotency.h): a key
-- names the resource it acted on and a hash of the request, so a request_id
-- reused for a different request is refused instead of answered with the
-- first result.
ALTER TABLE request_ids RENAME COLUMN integration_id TO resource;
UPDATE request_ids SET resource = 'tenants/' || tenant || '/integrations/' || resource;
-- Keys recorded before this migration have no hash ('' = not compared).
ALTER TABLE request_ids ADD COLUMN request_hash text NOT NULL DEFAULT '';
