/** The part of the Web Storage API the token store uses (sessionStorage in the browser). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const key = "charthouse.token";

/**
 * Keeps the API token for this browser tab: in sessionStorage when allowed (gone when the tab
 * closes), else only in memory. The token is never written to a URL, a cookie or localStorage.
 */
export class TokenStore {
  readonly #storage: KeyValueStorage | null;
  #memory: string | null = null;

  constructor(storage: KeyValueStorage | null) {
    this.#storage = storage;
  }

  /** The stored token, or null when signed out. */
  read(): string | null {
    try {
      return this.#storage?.getItem(key) ?? this.#memory;
    } catch {
      return this.#memory;
    }
  }

  /** Keeps the token; `remember: false` keeps it in memory only (lost on reload). */
  write(token: string, options: { remember: boolean }): void {
    this.#memory = token;
    try {
      if (options.remember) this.#storage?.setItem(key, token);
      else this.#storage?.removeItem(key);
    } catch {
      // Storage refused (private mode, quota): memory alone still signs in this page.
    }
  }

  /** Forgets the token. */
  clear(): void {
    this.#memory = null;
    try {
      this.#storage?.removeItem(key);
    } catch {
      // Nothing stored to forget.
    }
  }
}
