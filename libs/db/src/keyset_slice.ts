/** The keyset position after the last row of a page: its name, then its id. */
export interface KeysetPosition {
  name: string;
  id: string;
}

/** Which rows a keyset-paged read returns: at most `limit`, after `after` (from the start when undefined). */
export interface KeysetSlice {
  limit: number;
  after: KeysetPosition | undefined;
}
