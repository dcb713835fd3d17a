-- Where the supplier takes purchase orders by e-mail (dispatch's PDF
-- action); '' = none.
ALTER TABLE integrations ADD COLUMN order_email text NOT NULL DEFAULT '';
