-- Invoice intake: the tenants' e-invoicing addresses, every message as it
-- came (stored before it is read), the invoices read from them with every
-- source they arrived by, what each invoice line was matched to, and the
-- decisions people took on exceptions.

-- <local_part>@<mail domain> routes to the tenant; the local part has a
-- random piece so the address cannot be guessed.
CREATE TABLE addresses (
  tenant      text        PRIMARY KEY,
  local_part  text        NOT NULL UNIQUE,
  create_time timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE messages (
  id           text        PRIMARY KEY,           -- "m" + 20 hex digits
  tenant       text        NOT NULL DEFAULT '',   -- '' until routed
  source       text        NOT NULL CHECK (source IN ('imap', 'maildir', 'api', 'cxml_post')),
  source_key   text        NOT NULL DEFAULT '',   -- the mailbox's id for it
  sha256       text        NOT NULL UNIQUE,       -- the same bytes are one message
  message_id   text        NOT NULL DEFAULT '',
  size_bytes   bigint      NOT NULL,
  raw          bytea       NOT NULL,
  state        text        NOT NULL CHECK (state IN ('received', 'processed', 'quarantined')),
  reason       text        NOT NULL DEFAULT '',
  from_address text        NOT NULL DEFAULT '',
  subject      text        NOT NULL DEFAULT '',
  authentication text      NOT NULL DEFAULT '',
  invoices     text[]      NOT NULL DEFAULT '{}',
  receive_time timestamptz NOT NULL DEFAULT now(),
  process_time timestamptz
);
CREATE INDEX messages_unprocessed ON messages (receive_time) WHERE state = 'received';
CREATE INDEX messages_by_tenant ON messages (tenant, receive_time DESC);

CREATE TABLE invoices (
  tenant          text        NOT NULL,
  id              text        NOT NULL,           -- "i" + 20 hex digits
  -- Who sent it: the integration, or "domain:<sending domain>" when no
  -- integration is recognised. With the invoice number it makes one invoice
  -- of every copy, whatever channel it came by.
  sender_key      text        NOT NULL,
  invoice_number  text        NOT NULL,
  integration     text        NOT NULL DEFAULT '',
  supplier        text        NOT NULL DEFAULT '',
  state           text        NOT NULL CHECK (state IN ('received', 'parsed', 'matched',
                    'exception', 'needs_review', 'rejected', 'accepted')),
  sender_verified boolean     NOT NULL,
  credit_memo     boolean     NOT NULL,
  currency        text        NOT NULL,
  po_numbers      text[]      NOT NULL DEFAULT '{}',
  -- iob.invoice.v1.Invoice as JSON: the values read (each with its rule),
  -- lines, matches and exceptions.
  detail          jsonb       NOT NULL,
  reason          text        NOT NULL DEFAULT '',
  create_time     timestamptz NOT NULL DEFAULT now(),
  update_time     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, id),
  UNIQUE (tenant, sender_key, invoice_number)
);
CREATE INDEX invoices_by_time ON invoices (tenant, create_time DESC, id DESC);

-- Every copy of an invoice: the message and part it came in.
CREATE TABLE invoice_sources (
  tenant       text        NOT NULL,
  invoice_id   text        NOT NULL,
  message      text        NOT NULL REFERENCES messages (id),
  part         text        NOT NULL,
  format       text        NOT NULL,
  sha256       text        NOT NULL,
  receive_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, invoice_id, message, part),
  FOREIGN KEY (tenant, invoice_id) REFERENCES invoices ON DELETE CASCADE
);

-- The quantity each matched invoice line put on an order line: their sum is
-- what the order line has been invoiced so far.
CREATE TABLE invoiced_quantities (
  tenant     text    NOT NULL,
  invoice_id text    NOT NULL,
  order_name text    NOT NULL,
  order_line integer NOT NULL,
  quantity   numeric NOT NULL,
  PRIMARY KEY (tenant, invoice_id, order_name, order_line),
  FOREIGN KEY (tenant, invoice_id) REFERENCES invoices ON DELETE CASCADE
);
CREATE INDEX invoiced_by_order ON invoiced_quantities (tenant, order_name, order_line);

-- Who accepted or rejected an invoice, when and why. Append-only.
CREATE TABLE resolutions (
  id         bigserial   PRIMARY KEY,
  tenant     text        NOT NULL,
  invoice_id text        NOT NULL,
  decision   text        NOT NULL CHECK (decision IN ('accept', 'reject')),
  note       text        NOT NULL,
  actor      text        NOT NULL,
  time       timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION resolutions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'resolutions is append-only';
END;
$$;
CREATE TRIGGER resolutions_no_update_delete BEFORE UPDATE OR DELETE ON resolutions
  FOR EACH ROW EXECUTE FUNCTION resolutions_append_only();

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
