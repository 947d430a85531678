/** Every Charthouse service, with the port of its health endpoints when run locally. */
export const services = [
  { name: "registry-api", defaultPort: 8080 },
  { name: "scheduler", defaultPort: 8081 },
  { name: "index-fetcher", defaultPort: 8082 },
  { name: "chart-downloader", defaultPort: 8083 },
  { name: "metadata-extractor", defaultPort: 8084 },
  { name: "oci-fetcher", defaultPort: 8085 },
  { name: "notifier", defaultPort: 8086 },
] as const;

/** The name of a service. */
export type ServiceName = (typeof services)[number]["name"];
