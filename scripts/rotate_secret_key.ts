/**
 * `npm run rotate-secret-key`: re-encrypts every credential (and GitHub receiver secret) under CHARTHOUSE_SECRET_KEY, opening
 * them with it or one of CHARTHOUSE_PREVIOUS_SECRET_KEYS. Safe to run again or concurrently.
 * The procedure (keys on the services first, then this, then drop the old keys) is in README.md.
 */
import { loadConfig, secretKeyListSetting, urlSetting } from "@charthouse/config";
import { rotateSecretKeys, secretBoxFromSettings, type SecretBox } from "@charthouse/credentials";
import { createSqlClient, CredentialRepository, SealedSecretColumns } from "@charthouse/db";
import { z } from "zod";

let settings: { config: { DATABASE_URL: string }; box: SecretBox };
try {
  const config = loadConfig({
    DATABASE_URL: urlSetting("postgres://postgres@127.0.0.1:5432/charthouse", ["postgres:", "postgresql:"]),
    CHARTHOUSE_SECRET_KEY: z.string({ error: "is required: the new key, 32 random bytes in base64" }).trim().min(1, "is required: the new key"),
    CHARTHOUSE_PREVIOUS_SECRET_KEYS: secretKeyListSetting(),
  });
  settings = { config, box: secretBoxFromSettings({ secretKey: config.CHARTHOUSE_SECRET_KEY, previousSecretKeys: config.CHARTHOUSE_PREVIOUS_SECRET_KEYS }) };
} catch (err) {
  // A bad setting is the operator's to fix: its message (never a key) without a stack trace.
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}
const { box } = settings;
const sql = createSqlClient(settings.config.DATABASE_URL, { poolSize: 2 });
try {
  process.stderr.write(`Re-encrypting credentials under key ${box.currentKeyId}\n`);
  const counts = await rotateSecretKeys(new CredentialRepository(sql), box, {
    onBatch: (progress) => process.stderr.write(`  ${progress.reencrypted} re-encrypted so far\n`),
  });
  for (const failure of counts.failed) process.stderr.write(`  cannot re-encrypt credential ${failure.id}: ${failure.reason}\n`);
  // GitHub receivers' HMAC secrets are sealed the same way.
  process.stderr.write(`Re-encrypting receiver secrets under key ${box.currentKeyId}\n`);
  const receivers = await rotateSecretKeys(new SealedSecretColumns(sql, "receivers"), box);
  for (const failure of receivers.failed) process.stderr.write(`  cannot re-encrypt receiver ${failure.id}: ${failure.reason}\n`);
  process.stdout.write(
    `${JSON.stringify({
      key_id: box.currentKeyId,
      already_current: counts.alreadyCurrent,
      reencrypted: counts.reencrypted,
      changed_meanwhile: counts.changedMeanwhile,
      failed: counts.failed.length,
      receivers: {
        already_current: receivers.alreadyCurrent,
        reencrypted: receivers.reencrypted,
        changed_meanwhile: receivers.changedMeanwhile,
        failed: receivers.failed.length,
      },
    })}\n`,
  );
  // Failed rows still need a key this run was not given: say so through the exit code.
  process.exitCode = counts.failed.length + receivers.failed.length > 0 ? 1 : 0;
} finally {
  await sql.close();
}
