-- Which associated data a secret's ciphertext is bound to (SecretVault):
-- 1 = (tenant, integration, field, key id), every row sealed before this
-- migration and by replicas still on an older binary (hence the default);
-- 2 = the same plus secret_version, so an older ciphertext put back in place
-- of a newer one does not open. `iob-credentials rewrap` moves rows to 2.
ALTER TABLE integrations ADD COLUMN secret_aad_scheme smallint NOT NULL DEFAULT 1
  CHECK (secret_aad_scheme IN (1, 2));
