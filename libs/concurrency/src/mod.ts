/** Bounded concurrency, for the loops and handlers that keep many tasks going at once. */
export { InFlightWindow } from "./in_flight_window.ts";
export { Slots } from "./slots.ts";
