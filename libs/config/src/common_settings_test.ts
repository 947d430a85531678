import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { InputError } from "@charthouse/errors";
import { registryAccessSettings } from "./common_settings.ts";
import { loadConfig } from "./env_schema.ts";

describe("registryAccessSettings()", () => {
  it("defaults the cloud sign-in settings", () => {
    const config = loadConfig(registryAccessSettings(), {});
    expect(config.CHARTHOUSE_AWS_ECR_ENDPOINT).toBeUndefined();
    expect(config.CHARTHOUSE_AZURE_AUTHORITY_HOST).toBeUndefined();
    expect(config.CHARTHOUSE_PREVIOUS_SECRET_KEYS).toBeUndefined();
    expect(config.CHARTHOUSE_CLOUD_TOKEN_MARGIN_MS).toBe(300_000);
  });

  it("accepts endpoints and previous keys, and names every bad one without repeating a key", () => {
    const keys = `${randomBytes(32).toString("base64")},${randomBytes(32).toString("base64")}`;
    const config = loadConfig(registryAccessSettings(), {
      CHARTHOUSE_AWS_ECR_ENDPOINT: "http://127.0.0.1:4566",
      CHARTHOUSE_AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us",
      CHARTHOUSE_PREVIOUS_SECRET_KEYS: keys,
    });
    expect(config.CHARTHOUSE_PREVIOUS_SECRET_KEYS).toBe(keys);
    const short = randomBytes(16).toString("base64");
    let caught: unknown;
    try {
      loadConfig(registryAccessSettings(), {
        CHARTHOUSE_AWS_ECR_ENDPOINT: "ecr.local",
        CHARTHOUSE_AZURE_AUTHORITY_HOST: "http://login.example",
        CHARTHOUSE_PREVIOUS_SECRET_KEYS: `${randomBytes(32).toString("base64")},${short}`,
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InputError);
    const err = caught as InputError;
    expect(err.fields.map((f) => f.field).sort()).toEqual(["CHARTHOUSE_AWS_ECR_ENDPOINT", "CHARTHOUSE_AZURE_AUTHORITY_HOST", "CHARTHOUSE_PREVIOUS_SECRET_KEYS"]);
    expect(err.message).toContain("key 2 must be 32 random bytes");
    expect(err.message).not.toContain(short);
  });
});
