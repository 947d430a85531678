/**
 * `npm run rotate-secret-key`: re-encrypts every credential, subscription and GitHub receiver secret under CHARTHOUSE_SECRET_KEY, opening
 * them with it or one of CHARTHOUSE_PREVIOUS_SECRET_KEYS. Safe to run again or concurrently.
 * The procedure (keys on the services first, then this, then drop the old keys) is in README.md.
 */
import { loadConfig, secretKeyListSetting, urlSetting } from "@charthouse/config";
import { rotateSecretKeys, secretBoxFromSettings, type SecretBox } from "@charthouse/credentials";
import { createSqlClient, CredentialRepository, SealedSecretTable } from "@charthouse/db";
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
  // Credentials, subscriptions' webhook secrets and GitHub receivers' HMAC secrets: each is sealed for its row's id.
  const tables = [
    { name: "credentials", what: "credential", store: new CredentialRepository(sql) },
    { name: "subscriptions", what: "subscription", store: new SealedSecretTable(sql, "subscriptions") },
    { name: "receivers", what: "receiver", store: new SealedSecretTable(sql, "receivers") },
  ] as const;
  const results: Record<string, unknown> = { key_id: box.currentKeyId };
  let failed = 0;
  for (const table of tables) {
    process.stderr.write(`Re-encrypting ${table.name} under key ${box.currentKeyId}\n`);
    const counts = await rotateSecretKeys(table.store, box, {
      onBatch: (progress) => process.stderr.write(`  ${progress.reencrypted} re-encrypted so far\n`),
    });
    for (const failure of counts.failed) process.stderr.write(`  cannot re-encrypt ${table.what} ${failure.id}: ${failure.reason}\n`);
    const summary = {
      already_current: counts.alreadyCurrent,
      reencrypted: counts.reencrypted,
      changed_meanwhile: counts.changedMeanwhile,
      failed: counts.failed.length,
    };
    // The credentials' counts stay at the top level, as before; the others' go under their table's name.
    if (table.name === "credentials") Object.assign(results, summary);
    else results[table.name] = summary;
    failed += counts.failed.length;
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
  // Failed rows still need a key this run was not given: say so through the exit code.
  process.exitCode = failed > 0 ? 1 : 0;
} finally {
  await sql.close();
}
