/** A registry's credential as services read it: what it is and its sealed secret. */
export interface SealedCredential {
  id: string;
  kind: string;
  username: string | null;
  keyId: string;
  ciphertext: string;
}

/** The columns a query selects to carry a registry's credential (LEFT JOIN credentials cr). */
export const sealedCredentialColumns =
  "cr.id AS credential_id, cr.kind AS credential_kind, cr.username AS credential_username, cr.secret_key_id, cr.secret_ciphertext";

/** The credential columns of a row. */
export interface SealedCredentialRow {
  credential_id: string | null;
  credential_kind: string | null;
  credential_username: string | null;
  secret_key_id: string | null;
  secret_ciphertext: string | null;
}

/** The credential of a row that selected sealedCredentialColumns, or null when there is none. */
export function sealedCredentialOf(row: SealedCredentialRow): SealedCredential | null {
  if (row.credential_id === null || row.credential_kind === null || row.secret_key_id === null || row.secret_ciphertext === null) {
    return null;
  }
  return {
    id: row.credential_id,
    kind: row.credential_kind,
    username: row.credential_username,
    keyId: row.secret_key_id,
    ciphertext: row.secret_ciphertext,
  };
}
