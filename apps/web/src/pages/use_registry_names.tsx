import { useQuery } from "@tanstack/react-query";
import type { Page, Registry } from "../api/api_types.ts";
import { useApi } from "../auth/session.tsx";
import { registryNames } from "./registry_names.ts";

/** Registry names by id, for labelling charts. */
export function useRegistryNames(): ReadonlyMap<string, string> {
  const api = useApi();
  const { data } = useQuery({
    queryKey: ["registries", "names"],
    queryFn: ({ signal }) => api.getJson<Page<Registry>>("/registries?limit=500", signal),
    staleTime: 30_000,
  });
  return registryNames(data);
}
