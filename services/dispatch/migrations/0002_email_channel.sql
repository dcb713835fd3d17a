-- The rule's PDF action: an order goes either as a cXML OrderRequest or as a
-- purchase order PDF by e-mail, fixed from the rule when it is submitted.
ALTER TABLE orders ADD COLUMN channel text NOT NULL DEFAULT 'cxml'
  CHECK (channel IN ('cxml', 'email'));
-- The relay's reply code to an e-mailed order (0 for cXML).
ALTER TABLE attempts ADD COLUMN smtp_code integer NOT NULL DEFAULT 0;
ALTER TABLE exchanges ADD COLUMN smtp_code integer NOT NULL DEFAULT 0;
