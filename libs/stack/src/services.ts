/**
 * V8 heap settings of every service process (npm start here; the image's ENTRYPOINT, compose and
 * the Helm chart say the same). Left alone, V8 sizes the first full collection by the machine's
 * memory: on a 24 GB machine a big sync piled up 100+ MB of garbage before anything was
 * collected (the index-fetcher peaked at 250 MB with 57 MB live). A 16 MB first limit and 25%
 * growth steps collect as the heap grows instead, for a few more collections.
 */
export const heapFlags = ["--initial-old-space-size=16", "--heap-growing-percent=25"] as const;

/**
 * Every Charthouse service, with the port of its health endpoints when run locally and node
 * flags of its own. The index-fetcher's young generation is halved (8 MB semi-spaces): 16 MB less
 * at a big sync's peak, for more scavenges; registry-api keeps V8's default, which serves about
 * 13% more requests per second of CPU under load.
 */
export const services = [
  { name: "registry-api", defaultPort: 8080, nodeFlags: [] },
  { name: "scheduler", defaultPort: 8081, nodeFlags: [] },
  { name: "index-fetcher", defaultPort: 8082, nodeFlags: ["--max-semi-space-size=8"] },
  { name: "chart-downloader", defaultPort: 8083, nodeFlags: [] },
  { name: "metadata-extractor", defaultPort: 8084, nodeFlags: [] },
  { name: "oci-fetcher", defaultPort: 8085, nodeFlags: [] },
  { name: "notifier", defaultPort: 8086, nodeFlags: [] },
] as const satisfies ReadonlyArray<{ name: string; defaultPort: number; nodeFlags: readonly string[] }>;

/** The name of a service. */
export type ServiceName = (typeof services)[number]["name"];
