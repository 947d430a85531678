import { CharthouseError } from "@charthouse/errors";

/**
 * The CharthouseError a promise rejects with, for assertions on its code and message. Fails the
 * test when the promise resolves, and rethrows any other error as it is.
 */
export async function rejectionOf(promise: Promise<unknown>): Promise<CharthouseError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof CharthouseError) return err;
    throw err;
  }
  throw new Error("expected a rejection, but the promise resolved");
}
