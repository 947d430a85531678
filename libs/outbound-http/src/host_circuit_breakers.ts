import { EventEmitter } from "node:events";
import CircuitBreaker from "opossum";
import { CharthouseError, DeferredError, type ErrorCode } from "@charthouse/errors";

/** When a host's circuit opens and for how long it stays open. */
export interface HostBreakerOptions {
  /** How long calls to a failing host fail fast before one trial call, in ms. Default 30 000 (CHARTHOUSE_CIRCUIT_RESET_MS). */
  resetMs?: number;
  /** The rolling window failures are counted over, in ms. Default 10 000. */
  windowMs?: number;
  /** Calls needed in the window before the circuit may open. Default 5. */
  minimumCalls?: number;
  /** Share of failed calls in the window above which the circuit opens, in percent. Default 50. */
  failurePercentage?: number;
  /**
   * Told when a host's circuit opens (with the failure that tipped it) and when it closes again:
   * one log line each instead of one per refused call, and a cue to retry what the outage failed.
   */
  onStateChange?: (change: HostCircuitChange) => void;
}

/** A host's circuit that opened or closed. */
export interface HostCircuitChange {
  origin: string;
  state: "open" | "closed";
  /** The failure that opened it (on open). */
  lastFailure: CharthouseError | undefined;
}

/** The state of one host's circuit. */
export type HostCircuitState = "closed" | "open" | "half_open";

/** Circuit breakers keyed by registry origin, shared by everything in a service that calls registries. */
export interface HostBreakers {
  /** Runs `fn` for `origin` (a URL or origin), or fails fast with HostCircuitOpenError while its circuit is open. */
  run<T>(origin: string | URL, fn: () => Promise<T>): Promise<T>;
  /** The current state of `origin`'s circuit (closed for hosts never called). */
  state(origin: string | URL): HostCircuitState;
  /** Stops every breaker's timers (graceful shutdown). */
  close(): void;
}

/**
 * A call refused without being sent because its host's circuit is open: deferred until the
 * circuit lets a trial call through (`retryAfterMs`), not a failed attempt.
 */
export class HostCircuitOpenError extends DeferredError {
  override name = "HostCircuitOpenError";
  constructor(message: string, options: { code: ErrorCode; retryAfterMs: number; cause?: unknown }) {
    super(message, { code: options.code, cause: options.cause, retryAfterMs: options.retryAfterMs });
  }
}

interface HostCircuit {
  breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  openedAt: number;
  lastFailure: CharthouseError | undefined;
}

/**
 * Creates the per-host circuit breakers (opossum). Only transient registry failures (5xx, 429,
 * timeouts, connection failures) count; 404, 401 or a too-large body show the host is up.
 */
export function createHostBreakers(options: HostBreakerOptions = {}): HostBreakers {
  const resetMs = options.resetMs ?? 30_000;
  const windowMs = options.windowMs ?? 10_000;
  const buckets = 10;
  const circuits = new Map<string, HostCircuit>();
  // One timer rotates every breaker's window instead of one timer per host.
  const rotation = new EventEmitter();
  rotation.setMaxListeners(0);
  let ticker: NodeJS.Timeout | undefined;

  const circuitFor = (origin: string): HostCircuit => {
    const existing = circuits.get(origin);
    if (existing !== undefined) return existing;
    if (ticker === undefined) {
      ticker = setInterval(() => rotation.emit("rotate"), Math.max(1, Math.floor(windowMs / buckets)));
      ticker.unref();
    }
    const breaker = new CircuitBreaker<[() => Promise<unknown>], unknown>((fn) => fn(), {
      name: origin,
      timeout: false,
      resetTimeout: resetMs,
      rollingCountTimeout: windowMs,
      rollingCountBuckets: buckets,
      volumeThreshold: options.minimumCalls ?? 5,
      errorThresholdPercentage: options.failurePercentage ?? 50,
      errorFilter: (err: unknown) => !countsAgainstHost(err),
      rotateBucketController: rotation,
      enableSnapshots: false,
    });
    const circuit: HostCircuit = { breaker, openedAt: 0, lastFailure: undefined };
    breaker.on("failure", (err: unknown) => {
      if (err instanceof CharthouseError) circuit.lastFailure = err;
    });
    breaker.on("open", () => {
      circuit.openedAt = Date.now();
      options.onStateChange?.({ origin, state: "open", lastFailure: circuit.lastFailure });
    });
    breaker.on("close", () => {
      options.onStateChange?.({ origin, state: "closed", lastFailure: undefined });
    });
    circuits.set(origin, circuit);
    return circuit;
  };

  return {
    async run<T>(origin: string | URL, fn: () => Promise<T>): Promise<T> {
      const key = originOf(origin);
      const circuit = circuitFor(key);
      try {
        return (await circuit.breaker.fire(fn)) as T;
      } catch (err) {
        if (!isOpenCircuitRejection(err)) throw err;
        const last = circuit.lastFailure;
        // Half-open, with its one trial call under way: ask again shortly rather than at once.
        const retryAfterMs = Math.max(HALF_OPEN_RETRY_MS, circuit.openedAt + resetMs - Date.now());
        throw new HostCircuitOpenError(
          `Calls to ${key} are paused for ${Math.ceil(retryAfterMs / 1000)} s after repeated failures` +
            (last === undefined ? "" : ` (last: ${last.message})`),
          { code: last?.code ?? "connection_failed", retryAfterMs, cause: last },
        );
      }
    },
    state(origin: string | URL): HostCircuitState {
      const breaker = circuits.get(originOf(origin))?.breaker;
      if (breaker === undefined || breaker.closed) return "closed";
      return breaker.halfOpen ? "half_open" : "open";
    },
    close(): void {
      for (const { breaker } of circuits.values()) breaker.shutdown();
      circuits.clear();
      if (ticker !== undefined) clearInterval(ticker);
      ticker = undefined;
    },
  };
}

/** How long a call refused while a trial call is under way waits before it asks again. */
const HALF_OPEN_RETRY_MS = 1_000;

/** True for failures that say the host itself is in trouble. */
function countsAgainstHost(err: unknown): boolean {
  return err instanceof CharthouseError && err.transient && err.code !== "forbidden_destination";
}

function isOpenCircuitRejection(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "EOPENBREAKER";
}

function originOf(origin: string | URL): string {
  try {
    return new URL(origin).origin;
  } catch {
    return String(origin);
  }
}
