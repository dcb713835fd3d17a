-- Integrations: one tenant's connection to one supplier. The shared secret
-- is stored only as AES-256-GCM ciphertext (see libs/crypto) bound to its row.
CREATE TABLE integrations (
  tenant             text        NOT NULL,
  integration_id     text        NOT NULL,
  supplier           text        NOT NULL,
  display_name       text        NOT NULL,
  marketplace        text        NOT NULL,
  from_domain        text        NOT NULL,
  from_identity      text        NOT NULL,
  to_domain          text        NOT NULL,
  to_identity        text        NOT NULL,
  sender_domain      text        NOT NULL,
  sender_identity    text        NOT NULL,
  punchout_url       text        NOT NULL,
  order_url          text        NOT NULL,
  mode               text        NOT NULL CHECK (mode IN ('test', 'production')),
  require_approval   boolean     NOT NULL DEFAULT true,
  payment_method     text        NOT NULL CHECK (payment_method IN ('pay_by_invoice', 'pcard')),
  state              text        NOT NULL CHECK (state IN ('active', 'disabled')),
  user_business_unit text        NOT NULL DEFAULT '',
  revision           bigint      NOT NULL DEFAULT 1,
  secret_ciphertext  bytea       NOT NULL,
  secret_key_id      text        NOT NULL,
  secret_version     bigint      NOT NULL DEFAULT 1,
  secret_fingerprint text        NOT NULL,
  secret_update_time timestamptz NOT NULL DEFAULT now(),
  create_time        timestamptz NOT NULL DEFAULT now(),
  update_time        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, integration_id)
);

-- Inbound supplier documents name our From identity; VerifySupplierCredential
-- looks integrations up by it.
CREATE INDEX integrations_by_from_identity ON integrations (from_identity);
-- Rewrap finds rows sealed with a key other than the primary.
CREATE INDEX integrations_by_key ON integrations (secret_key_id);

-- Who did what, when, to which secret version. Never values.
CREATE TABLE audit_events (
  id             bigserial   PRIMARY KEY,
  tenant         text        NOT NULL,
  integration_id text        NOT NULL,
  action         text        NOT NULL,
  actor          text        NOT NULL,
  secret_version bigint      NOT NULL DEFAULT 0,
  fields         text[]      NOT NULL DEFAULT '{}',
  request_id     text        NOT NULL DEFAULT '',
  time           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_by_tenant ON audit_events (tenant, id);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- Idempotency: a repeated request_id returns what the first call produced.
CREATE TABLE request_ids (
  tenant         text        NOT NULL,
  request_id     text        NOT NULL,
  method         text        NOT NULL,
  integration_id text        NOT NULL,
  create_time    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, request_id, method)
);
