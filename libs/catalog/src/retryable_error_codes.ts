/**
 * Error codes of passing failures: a version that failed with one of these (its registry down or
 * throttling for a day) is tried again later on its own, and at once when its host answers
 * again. Digest mismatches, invalid charts and missing archives are the registry's word and stay
 * failed until the registry changes or a user asks ("Sync now", a replayed dead letter).
 */
export const retryableErrorCodes = ["timeout", "connection_failed", "rate_limited", "registry_error", "unavailable", "internal"] as const;
