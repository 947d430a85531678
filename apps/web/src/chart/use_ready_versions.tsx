import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { chartPath } from "../api/api_client.ts";
import type { ChartVersion, Page } from "../api/api_types.ts";
import { useApi } from "../auth/session.tsx";

// Pages of the largest size the API serves; a chart with more versions than this offers its newest.
const pageSize = 500;
const maxPages = 10;

/** The chart's ready versions, newest first (the API's order), for the version pickers. */
export function useReadyVersions(registryId: string, chart: string): UseQueryResult<string[]> {
  const api = useApi();
  return useQuery({
    // Under the versions list's key, so a version event refreshes the pickers too; an object never equals a page cursor.
    queryKey: ["versions", registryId, chart, { state: "ready" }],
    queryFn: async ({ signal }) => {
      const ready: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < maxPages; page += 1) {
        const cursorParam: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
        const data: Page<ChartVersion> = await api.getJson<Page<ChartVersion>>(
          `${chartPath(registryId, chart)}/versions?limit=${pageSize}${cursorParam}`,
          signal,
        );
        ready.push(...data.items.filter((v) => v.state === "ready").map((v) => v.version));
        cursor = data.next_cursor;
        if (!cursor) break;
      }
      return ready;
    },
  });
}
