import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { runCommand } from "./run_command.ts";
import { makeTempDir, removeTempDir } from "./temp_dir.ts";

/** A key and a self-signed certificate in PEM; the certificate is also the CA a client trusts. */
export interface SelfSignedCertificate {
  key: string;
  cert: string;
}

/**
 * Makes a self-signed certificate for 127.0.0.1 and localhost with the `openssl` CLI, valid for
 * a day: for local HTTPS peers whose clients insist on https (MSAL's authority).
 */
export async function selfSignedCertificate(): Promise<SelfSignedCertificate> {
  const dir = await makeTempDir("charthouse-cert-");
  try {
    const keyPath = join(dir, "key.pem");
    const certPath = join(dir, "cert.pem");
    await runCommand("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
      "-keyout", keyPath, "-out", certPath,
      "-subj", "/CN=127.0.0.1",
      "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-addext", "basicConstraints=critical,CA:TRUE",
    ], { timeoutMs: 30_000 });
    return { key: await readFile(keyPath, "utf8"), cert: await readFile(certPath, "utf8") };
  } finally {
    await removeTempDir(dir);
  }
}
