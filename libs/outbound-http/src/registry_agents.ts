import { Agent } from "undici";
import { guardedLookup, type DestinationPolicy } from "./destination_guard.ts";

const agents = new Map<boolean, Agent>();

/**
 * The shared connection pool for one destination policy. Every new connection resolves and
 * vets its host in `connect.lookup`; the TLS server name and Host header stay the host name.
 */
export function registryAgent(policy: DestinationPolicy): Agent {
  let agent = agents.get(policy.blockPrivateNetworks);
  if (agent === undefined) {
    agent = new Agent({ connect: { lookup: guardedLookup(policy) } });
    agents.set(policy.blockPrivateNetworks, agent);
  }
  return agent;
}

/** Closes the pooled registry connections (graceful shutdown, tests). */
export async function closeRegistryAgents(): Promise<void> {
  const open = [...agents.values()];
  agents.clear();
  await Promise.all(open.map((agent) => agent.close()));
}
