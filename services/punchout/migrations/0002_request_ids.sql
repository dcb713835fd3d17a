-- Idempotency the way every service keeps it (libs/db/idempotency.h): a
-- table of keys claimed in the same transaction as their effect, instead of
-- a request_id column on sessions cleared on failure.
CREATE TABLE request_ids (
  tenant       text        NOT NULL,
  method       text        NOT NULL,
  request_id   text        NOT NULL,
  resource     text        NOT NULL,
  request_hash text        NOT NULL,  -- '' for keys carried over below (not compared)
  create_time  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, method, request_id)
);
INSERT INTO request_ids (tenant, method, request_id, resource, request_hash)
  SELECT tenant, 'StartSession', request_id, 'tenants/' || tenant || '/sessions/' || session_id, ''
  FROM sessions WHERE request_id <> '';
DROP INDEX sessions_by_request;
ALTER TABLE sessions DROP COLUMN request_id;
