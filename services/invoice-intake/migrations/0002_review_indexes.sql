-- The metrics' backlog figures read these on every sweep: keep them off
-- full scans as the tables grow.
CREATE INDEX messages_quarantined ON messages (receive_time) WHERE state = 'quarantined';
CREATE INDEX invoices_awaiting_review ON invoices (state)
  WHERE state IN ('exception', 'needs_review');
