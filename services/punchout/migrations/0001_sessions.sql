-- Punchout sessions and the carts suppliers post back.
CREATE TABLE sessions (
  tenant             text        NOT NULL,
  session_id         text        NOT NULL,
  integration        text        NOT NULL,  -- tenants/{t}/integrations/{i}
  supplier           text        NOT NULL,
  user_id            text        NOT NULL,
  user_email         text        NOT NULL,
  user_name          text        NOT NULL,
  operation          text        NOT NULL CHECK (operation IN ('create', 'edit', 'inspect')),
  state              text        NOT NULL CHECK (state IN ('created', 'started', 'cart_received',
                                                           'checked_out', 'expired', 'failed')),
  buyer_cookie       text        NOT NULL,
  -- Only the SHA-256 of the one-time BrowserFormPost token is kept.
  post_token_sha256  text        NOT NULL UNIQUE,
  start_page_url     text        NOT NULL DEFAULT '',
  approval_required  boolean     NOT NULL,
  failure_reason     text        NOT NULL DEFAULT '',
  request_id         text        NOT NULL DEFAULT '',
  cart_body_sha256   text        NOT NULL DEFAULT '',
  expire_time        timestamptz NOT NULL,
  create_time        timestamptz NOT NULL DEFAULT now(),
  update_time        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, session_id)
);
CREATE INDEX sessions_by_state ON sessions (tenant, state, create_time DESC);
CREATE INDEX sessions_by_expiry ON sessions (expire_time) WHERE state IN ('created', 'started');
CREATE UNIQUE INDEX sessions_by_request ON sessions (tenant, request_id) WHERE request_id <> '';

CREATE TABLE carts (
  tenant            text        NOT NULL,
  session_id        text        NOT NULL,
  currency          text        NOT NULL,
  total             numeric     NOT NULL,
  shipping          numeric,
  tax               numeric,
  operation_allowed text        NOT NULL DEFAULT '',
  receive_time      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, session_id),
  FOREIGN KEY (tenant, session_id) REFERENCES sessions ON DELETE CASCADE
);

CREATE TABLE cart_lines (
  tenant                     text    NOT NULL,
  session_id                 text    NOT NULL,
  line_number                integer NOT NULL,
  quantity                   numeric NOT NULL,
  supplier_part_id           text    NOT NULL,
  -- Verbatim, markup included: sent back unchanged on the order.
  supplier_part_auxiliary_id text    NOT NULL DEFAULT '',
  description                text    NOT NULL DEFAULT '',
  unit_price                 numeric NOT NULL,
  currency                   text    NOT NULL,
  unit_of_measure            text    NOT NULL,
  classifications            text[]  NOT NULL DEFAULT '{}',  -- "domain:code"
  manufacturer_part_id       text    NOT NULL DEFAULT '',
  manufacturer_name          text    NOT NULL DEFAULT '',
  PRIMARY KEY (tenant, session_id, line_number),
  FOREIGN KEY (tenant, session_id) REFERENCES carts ON DELETE CASCADE
);
