-- Dispatch: rules, orders with their versions (each one OrderRequest), the
-- outbox columns the delivery workers claim by, and what happened to each
-- order (attempts, exchanged documents, confirmations, shipments, states).

-- The tenant's rule for an integration's "order fully approved" event. No row
-- means the default (electronic on, PDF off, 24 h confirmation deadline).
CREATE TABLE dispatch_rules (
  tenant                        text        NOT NULL,
  integration_id                text        NOT NULL,
  send_cxml                     boolean     NOT NULL,
  send_pdf                      boolean     NOT NULL,
  confirmation_deadline_seconds bigint      NOT NULL CHECK (confirmation_deadline_seconds > 0),
  update_time                   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, integration_id)
);

CREATE TABLE orders (
  tenant             text        NOT NULL,
  order_id           text        NOT NULL,
  integration        text        NOT NULL,  -- tenants/{t}/integrations/{i}
  supplier           text        NOT NULL,
  po_number          text        NOT NULL,
  test               boolean     NOT NULL,
  state              text        NOT NULL CHECK (state IN ('queued', 'sending', 'delivered',
                       'confirmed', 'partially_confirmed', 'backordered', 'shipped',
                       'rejected', 'failed', 'cancelled')),
  -- The newest version, and the newest one the supplier accepted (0: none).
  -- Workers send delivered_version + 1 next, so a change never overtakes the
  -- version before it.
  version            integer     NOT NULL DEFAULT 1,
  delivered_version  integer     NOT NULL DEFAULT 0,
  session            text        NOT NULL DEFAULT '',
  approval           jsonb       NOT NULL,  -- iob.dispatch.v1.Approval as JSON
  total              numeric     NOT NULL,
  currency           text        NOT NULL,
  failure_reason     text        NOT NULL DEFAULT '',
  -- Outbox: due when queued and next_attempt_time has passed, or when a
  -- worker's lease ran out (the worker died).
  attempt_count      integer     NOT NULL DEFAULT 0,  -- of the version being sent
  attempts_total     integer     NOT NULL DEFAULT 0,  -- over the order's life (attempts.number)
  first_attempt_time timestamptz,
  next_attempt_time  timestamptz NOT NULL DEFAULT now(),
  lease_owner        text        NOT NULL DEFAULT '',
  lease_until        timestamptz,
  confirm_deadline   interval    NOT NULL,
  confirm_due_time   timestamptz,  -- set at delivery; cleared by a confirmation
  unconfirmed        boolean     NOT NULL DEFAULT false,
  create_time        timestamptz NOT NULL DEFAULT now(),
  update_time        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, order_id),
  UNIQUE (tenant, po_number)
);
CREATE INDEX orders_due ON orders (next_attempt_time) WHERE state = 'queued';
CREATE INDEX orders_leased ON orders (lease_until) WHERE state = 'sending';
CREATE INDEX orders_confirm_due ON orders (confirm_due_time)
  WHERE confirm_due_time IS NOT NULL AND NOT unconfirmed;
CREATE INDEX orders_by_time ON orders (tenant, create_time DESC, order_id DESC);

-- One OrderRequest per version: new (1), update, or delete (cancel).
CREATE TABLE order_versions (
  tenant             text        NOT NULL,
  order_id           text        NOT NULL,
  version            integer     NOT NULL,
  type               text        NOT NULL CHECK (type IN ('new', 'update', 'delete')),
  -- Fixed when the version is made: the same on every retry.
  payload_id         text        NOT NULL UNIQUE,
  document_reference text        NOT NULL DEFAULT '',  -- the previous version's payloadID
  content            jsonb       NOT NULL,  -- iob.dispatch.v1.OrderContent as JSON
  order_date         text        NOT NULL,  -- cXML timestamp, fixed with the payloadID
  reason             text        NOT NULL DEFAULT '',
  create_time        timestamptz NOT NULL DEFAULT now(),
  delivered_time     timestamptz,
  PRIMARY KEY (tenant, order_id, version),
  FOREIGN KEY (tenant, order_id) REFERENCES orders ON DELETE CASCADE
);

CREATE TABLE attempts (
  tenant      text        NOT NULL,
  order_id    text        NOT NULL,
  number      integer     NOT NULL,  -- across the order's life, from 1
  version     integer     NOT NULL,
  worker      text        NOT NULL,
  start_time  timestamptz NOT NULL,
  outcome     text        NOT NULL,
  http_status integer     NOT NULL,
  cxml_code   integer     NOT NULL,
  text        text        NOT NULL,
  latency_us  bigint      NOT NULL,
  PRIMARY KEY (tenant, order_id, number),
  FOREIGN KEY (tenant, order_id) REFERENCES orders ON DELETE CASCADE
);

-- Every cXML document sent or received for an order, secrets masked.
CREATE TABLE exchanges (
  id            bigserial   PRIMARY KEY,
  tenant        text        NOT NULL,
  order_id      text        NOT NULL,
  direction     text        NOT NULL CHECK (direction IN ('out', 'in')),
  document_type text        NOT NULL,
  payload_id    text        NOT NULL,
  time          timestamptz NOT NULL DEFAULT now(),
  http_status   integer     NOT NULL,
  cxml_code     integer     NOT NULL,
  latency_us    bigint      NOT NULL,
  document      text        NOT NULL,
  -- The cXML answer to it: the supplier's Response to our OrderRequest.
  answer        text        NOT NULL DEFAULT '',
  FOREIGN KEY (tenant, order_id) REFERENCES orders ON DELETE CASCADE
);
CREATE INDEX exchanges_by_order ON exchanges (tenant, order_id, id);
-- Inbound documents are idempotent by payloadID.
CREATE UNIQUE INDEX exchanges_inbound ON exchanges (payload_id) WHERE direction = 'in';

CREATE TABLE confirmations (
  tenant       text        NOT NULL,
  order_id     text        NOT NULL,
  payload_id   text        NOT NULL PRIMARY KEY,
  confirm_id   text        NOT NULL,
  type         text        NOT NULL,
  operation    text        NOT NULL,
  notice_time  timestamptz,
  comments     text        NOT NULL DEFAULT '',
  receive_time timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant, order_id) REFERENCES orders ON DELETE CASCADE
);
CREATE INDEX confirmations_by_order ON confirmations (tenant, order_id);

CREATE TABLE shipments (
  tenant          text        NOT NULL,
  order_id        text        NOT NULL,
  payload_id      text        NOT NULL PRIMARY KEY,
  shipment_id     text        NOT NULL,
  carrier         text        NOT NULL DEFAULT '',
  tracking_number text        NOT NULL DEFAULT '',
  tracking_url    text        NOT NULL DEFAULT '',
  shipment_time   timestamptz,
  lines           text        NOT NULL DEFAULT '',  -- "line:quantity" pairs, comma-separated
  receive_time    timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant, order_id) REFERENCES orders ON DELETE CASCADE
);
CREATE INDEX shipments_by_order ON shipments (tenant, order_id);

-- Every state an order went through, with when and why.
CREATE TABLE state_changes (
  id       bigserial   PRIMARY KEY,
  tenant   text        NOT NULL,
  order_id text        NOT NULL,
  state    text        NOT NULL,
  time     timestamptz NOT NULL DEFAULT now(),
  reason   text        NOT NULL DEFAULT '',
  FOREIGN KEY (tenant, order_id) REFERENCES orders ON DELETE CASCADE
);
CREATE INDEX state_changes_by_order ON state_changes (tenant, order_id, id);

-- Idempotency keys (libs/db/idempotency.h).
CREATE TABLE request_ids (
  tenant       text        NOT NULL,
  method       text        NOT NULL,
  request_id   text        NOT NULL,
  resource     text        NOT NULL,
  request_hash text        NOT NULL,
  create_time  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, method, request_id)
);
