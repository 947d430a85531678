import type { VersionSummaryJson } from "@charthouse/api-types";
import { compareImages } from "./compare_images.ts";
import { compareValueMaps } from "./compare_values.ts";
import { type ComparedVersion, readComparedVersion } from "./compared_version.ts";
import type { ValuesLimits } from "./values_limits.ts";

/** The short form of a comparison that a new-version event carries (images_changed counts a new tag of one repository once). */
export type VersionSummary = VersionSummaryJson;

/** Summarises what `current` changed against `previous` (leaf counts as compareVersions makes them). */
export function versionSummary(
  previous: ComparedVersion,
  current: ComparedVersion,
  options: { limits?: Readonly<ValuesLimits> } = {},
): VersionSummary {
  const before = readComparedVersion(previous, options.limits);
  const after = readComparedVersion(current, options.limits);
  const values = compareValueMaps(before.values, after.values);
  const images = compareImages(before.images, after.images);
  const previousMajor = majorOf(previous.version);
  const currentMajor = majorOf(current.version);
  return {
    previous_version: previous.version,
    values_added: values.added.length,
    values_removed: values.removed.length,
    values_changed: values.changed.length,
    images_changed: images.added.length + images.removed.length + images.changed.length,
    major: previousMajor !== null && currentMajor !== null && currentMajor > previousMajor,
  };
}

/** The major number of a version as Helm reads it leniently (`v2.1`, `2.0.0`), or null. */
function majorOf(version: string): bigint | null {
  const digits = /^v?(\d+)(?:[.+-]|$)/.exec(version)?.[1];
  return digits === undefined ? null : BigInt(digits);
}
