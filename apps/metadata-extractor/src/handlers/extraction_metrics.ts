import { Histogram, type Registry } from "prom-client";

/** Where the extractor reports versions it made ready; a plain object in tests, prom-client in the service. */
export interface ExtractionRecorder {
  /** A version became ready `seconds` after its index first listed it. */
  versionReady(secondsSinceDiscovered: number): void;
}

/** charthouse_version_discovered_to_ready_seconds: from discovered to ready, per version. */
export function extractionMetrics(registry: Registry): ExtractionRecorder {
  const toReady = new Histogram({
    name: "charthouse_version_discovered_to_ready_seconds",
    help: "Time from a chart version's discovery in an index to its metadata being ready",
    buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400],
    registers: [registry],
  });
  return { versionReady: (seconds) => toReady.observe(Math.max(0, seconds)) };
}
