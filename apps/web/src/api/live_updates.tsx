import { useQueryClient, type QueryKey } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useSession } from "../auth/session.tsx";
import { openEventStream, type EventStreamState, type LiveEvent } from "./event_stream.ts";
import { addToTally, type SyncTallies } from "./sync_tally.ts";

/** What the live event stream offers the pages. */
export interface LiveUpdates {
  state: EventStreamState;
  tallies: SyncTallies;
}

const LiveUpdatesContext = createContext<LiveUpdates>({ state: "closed", tallies: new Map() });

/**
 * Reads GET /api/v1/events while signed in, keeps per-registry sync tallies, and refreshes the
 * queries an event makes stale (coalesced, so a sync of thousands of versions refetches each
 * list at most once a second, the chart list at most every three).
 */
export function LiveUpdatesProvider({ children }: { children: ReactNode }): ReactNode {
  const { client, signOut } = useSession();
  const queryClient = useQueryClient();
  const [state, setState] = useState<EventStreamState>("closed");
  const [tallies, setTallies] = useState<SyncTallies>(() => new Map());
  const pending = useRef(new Map<string, QueryKey>());
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  useEffect(() => {
    if (client === null) return;
    const invalidate = (key: QueryKey, delayMs: number): void => {
      pending.current.set(JSON.stringify(key), key);
      if (timers.current.has(delayMs)) return;
      timers.current.set(
        delayMs,
        setTimeout(() => {
          timers.current.delete(delayMs);
          const keys = [...pending.current.values()];
          pending.current.clear();
          for (const k of keys) void queryClient.invalidateQueries({ queryKey: k });
        }, delayMs),
      );
    };
    const onEvent = (event: LiveEvent): void => {
      setTallies((t) => addToTally(t, event));
      const registryId = event.payload["registry_id"];
      const chart = event.payload["chart"];
      const version = event.payload["version"];
      invalidate(["registries"], 1_000);
      if (typeof registryId === "string") invalidate(["registry", registryId], 1_000);
      invalidate(["charts"], event.type === "registry.sync.finished" ? 1_000 : 3_000);
      if (typeof registryId === "string" && typeof chart === "string") {
        invalidate(["chart", registryId, chart], 1_000);
        invalidate(["versions", registryId, chart], 1_000);
        if (typeof version === "string") invalidate(["version", registryId, chart, version], 1_000);
      }
    };
    const stream = openEventStream({
      token: client.token,
      onEvent,
      onState: setState,
      onReset: () => {
        setTallies(new Map());
        void queryClient.invalidateQueries();
      },
      onUnauthorized: () => signOut("The API no longer accepts this token. Sign in again."),
    });
    const timerMap = timers.current;
    return () => {
      stream.stop();
      for (const t of timerMap.values()) clearTimeout(t);
      timerMap.clear();
    };
  }, [client, queryClient, signOut]);

  const value = useMemo(() => ({ state, tallies }), [state, tallies]);
  return <LiveUpdatesContext.Provider value={value}>{children}</LiveUpdatesContext.Provider>;
}

/** The live stream's state and the sync tallies. */
export function useLiveUpdates(): LiveUpdates {
  return useContext(LiveUpdatesContext);
}
