/**
 * The JetStream streams. Work streams use work-queue retention: each message is consumed by one
 * copy of one service. EVENTS is a short history for live views; DEAD_LETTERS keeps what failed
 * for good.
 */
export const streams = {
  SYNC: { name: "CHARTHOUSE_SYNC", subjects: ["sync.requested.>"], kind: "work", duplicateWindowMs: 120_000 },
  DOWNLOADS: {
    name: "CHARTHOUSE_DOWNLOADS",
    subjects: ["chart.download.requested.>"],
    kind: "work",
    duplicateWindowMs: 600_000,
  },
  EXTRACTIONS: { name: "CHARTHOUSE_EXTRACTIONS", subjects: ["chart.downloaded.>"], kind: "work", duplicateWindowMs: 600_000 },
  EVENTS: {
    name: "CHARTHOUSE_EVENTS",
    subjects: ["chart.version.>", "registry.sync.>"],
    kind: "history",
    duplicateWindowMs: 120_000,
  },
  DEAD_LETTERS: { name: "CHARTHOUSE_DEAD_LETTERS", subjects: ["deadletter.>"], kind: "history", duplicateWindowMs: 120_000 },
} as const;

/** One stream definition. */
export type StreamDefinition = (typeof streams)[keyof typeof streams];

/** The object store bucket that holds chart archives, named by their sha256. */
export const archiveBucket = "charthouse-archives";
