import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { secretKeyBytes } from "./secret_key.ts";
import { SealedSecretError } from "./sealed_secret_error.ts";

/** A named AES-256 key. */
export interface SecretKey {
  /** Stored with every secret sealed under it (see secretKeyId). */
  id: string;
  /** 32 bytes. */
  key: Uint8Array;
}

/** The key new secrets are sealed with, and older keys still accepted while rotating. */
export interface SecretBoxKeys {
  current: SecretKey;
  previous?: readonly SecretKey[];
}

/** A credential secret as stored in Postgres. */
export interface SealedSecret {
  keyId: string;
  /** base64 of IV (12 bytes) | GCM tag (16 bytes) | ciphertext. */
  ciphertext: string;
}

/** Seals and opens credential secrets; each is bound to its credential's id. */
export interface SecretBox {
  /** The id of the key `seal` uses. */
  readonly currentKeyId: string;
  /** Encrypts a secret as JSON under the current key, bound to `credentialId`. */
  seal(secret: object, credentialId: string): SealedSecret;
  /** Decrypts a secret sealed for `credentialId`; the result is unvalidated JSON. */
  open(sealed: SealedSecret, credentialId: string): unknown;
}

const ivBytes = 12;
const tagBytes = 16;

/**
 * Creates a SecretBox: AES-256-GCM with a random 12-byte IV per seal and the credential id as
 * additional authenticated data, so a sealed secret copied to another row does not open.
 */
export function createSecretBox(keys: SecretBoxKeys): SecretBox {
  const byId = new Map<string, Uint8Array>();
  for (const { id, key } of [keys.current, ...(keys.previous ?? [])]) {
    if (id === "") throw new TypeError("A secret key needs a non-empty id");
    if (key.byteLength !== secretKeyBytes) throw new TypeError(`Secret key "${id}" must be ${secretKeyBytes} bytes`);
    if (byId.has(id)) throw new TypeError(`Secret key id "${id}" is used twice`);
    byId.set(id, Uint8Array.from(key));
  }
  const current = { id: keys.current.id, key: Uint8Array.from(keys.current.key) };

  return {
    currentKeyId: current.id,
    seal(secret: object, credentialId: string): SealedSecret {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv("aes-256-gcm", current.key, iv, { authTagLength: tagBytes });
      cipher.setAAD(additionalData(credentialId));
      const body = Buffer.concat([cipher.update(JSON.stringify(secret), "utf8"), cipher.final()]);
      return { keyId: current.id, ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64") };
    },
    open(sealed: SealedSecret, credentialId: string): unknown {
      const key = byId.get(sealed.keyId);
      if (key === undefined) {
        throw new SealedSecretError(
          `Cannot open the secret of credential ${credentialId}: it was sealed with key "${sealed.keyId}", which is not configured`,
        );
      }
      const bytes = Buffer.from(sealed.ciphertext, "base64");
      if (bytes.byteLength < ivBytes + tagBytes) {
        throw new SealedSecretError(`Cannot open the secret of credential ${credentialId}: the sealed value is truncated`);
      }
      let plaintext: string;
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, ivBytes), { authTagLength: tagBytes });
        decipher.setAAD(additionalData(credentialId));
        decipher.setAuthTag(bytes.subarray(ivBytes, ivBytes + tagBytes));
        plaintext = Buffer.concat([decipher.update(bytes.subarray(ivBytes + tagBytes)), decipher.final()]).toString("utf8");
      } catch (err) {
        throw new SealedSecretError(
          `Cannot open the secret of credential ${credentialId}: it was altered, belongs to another credential, or key "${sealed.keyId}" is not the key it was sealed with`,
          { cause: err },
        );
      }
      return JSON.parse(plaintext) as unknown;
    },
  };
}

function additionalData(credentialId: string): Buffer {
  return Buffer.from(`charthouse/credential/v1/${credentialId}`, "utf8");
}
