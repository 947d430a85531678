import { InputError } from "@charthouse/errors";

/** Where a tar entry sits in a chart archive: its top folder and its path inside that folder. */
export interface ArchiveEntryPath {
  /** The archive's top folder as written: usually the chart name, sometimes "." (`./values.yaml`). */
  top: string;
  /** The path inside the top folder, "/"-separated, without empty or "." segments; "" for the folder itself. */
  path: string;
}

const drivePrefix = /^[A-Za-z]:(\/|$)/;

/**
 * Splits a tar entry name into top folder and inner path, as Helm does (Windows `\` separators
 * become `/`), and refuses names that point outside the archive: absolute paths, drive letters
 * and `..` segments.
 */
export function parseArchiveEntryPath(name: string): ArchiveEntryPath {
  const normalized = name.replaceAll("\\", "/");
  if (normalized === "") {
    throw new InputError("Cannot read chart archive: an entry has an empty name", { code: "invalid_chart" });
  }
  if (normalized.startsWith("/") || drivePrefix.test(normalized)) {
    throw new InputError(`Cannot read chart archive: entry ${quoteEntryName(name)} has an absolute path`, {
      code: "invalid_chart",
    });
  }
  const segments = normalized.split("/");
  if (segments.includes("..")) {
    throw new InputError(`Cannot read chart archive: entry ${quoteEntryName(name)} refers to a parent folder (..)`, {
      code: "invalid_chart",
    });
  }
  const [top = "", ...inner] = segments;
  const path = inner.filter((segment) => segment !== "" && segment !== ".").join("/");
  if (drivePrefix.test(path)) {
    throw new InputError(`Cannot read chart archive: entry ${quoteEntryName(name)} has an absolute path`, {
      code: "invalid_chart",
    });
  }
  return { top, path };
}

/** Quotes an entry name for an error message, escaped and cut to a readable length. */
export function quoteEntryName(name: string): string {
  const shown = name.length > 200 ? `${name.slice(0, 200)}...` : name;
  return JSON.stringify(shown);
}
