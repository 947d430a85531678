import { useInfiniteQuery, type InfiniteData, type UseInfiniteQueryResult } from "@tanstack/react-query";
import type { Page } from "../api/api_types.ts";
import { useApi } from "../auth/session.tsx";

/** A cursor-paged API list: its query (for its states and "Load more") and the items loaded so far. */
export interface PagedList<T> {
  query: UseInfiniteQueryResult<InfiniteData<Page<T>>>;
  items: T[];
}

/** Options of usePagedList(). */
export interface PagedListOptions<T> {
  /** The query key; invalidating its first element reloads the list. */
  queryKey: readonly unknown[];
  /** The API path of the list, without query string ("/credentials"). */
  path: string;
  pageSize: number;
  /** How often to reload the loaded pages, in ms, from what they hold; false = never. */
  refetchInterval?: (pages: readonly Page<T>[] | undefined) => number | false;
}

/** Loads an API list page by page, following each page's `next_cursor`. */
export function usePagedList<T>(options: PagedListOptions<T>): PagedList<T> {
  const api = useApi();
  const { refetchInterval } = options;
  const query = useInfiniteQuery<Page<T>, Error, InfiniteData<Page<T>>, readonly unknown[], string | null>({
    queryKey: options.queryKey,
    initialPageParam: null,
    queryFn: ({ pageParam, signal }) =>
      api.getJson<Page<T>>(`${options.path}?limit=${options.pageSize}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ""}`, signal),
    getNextPageParam: (last) => last.next_cursor,
    // Without the option react-query never refetches on a timer (false).
    refetchInterval: (q) => refetchInterval?.(q.state.data?.pages) ?? false,
  });
  return { query, items: query.data?.pages.flatMap((p) => p.items) ?? [] };
}
