import { describe, expect, it } from "vitest";
import { TokenStore, type KeyValueStorage } from "./token_store.ts";

function memoryStorage(): KeyValueStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
    removeItem: (k) => void items.delete(k),
  };
}

describe("TokenStore", () => {
  it("keeps a remembered token in the tab's storage and forgets it on clear()", () => {
    const storage = memoryStorage();
    const store = new TokenStore(storage);
    store.write("cht_abc", { remember: true });
    expect(new TokenStore(storage).read()).toBe("cht_abc");
    store.clear();
    expect(store.read()).toBeNull();
    expect(storage.items.size).toBe(0);
  });

  it("keeps a token that is not remembered in memory only", () => {
    const storage = memoryStorage();
    const store = new TokenStore(storage);
    store.write("cht_abc", { remember: false });
    expect(store.read()).toBe("cht_abc");
    expect(storage.items.size).toBe(0);
  });

  it("still signs in when storage throws", () => {
    const store = new TokenStore({
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
      removeItem: () => undefined,
    });
    store.write("cht_abc", { remember: true });
    expect(store.read()).toBe("cht_abc");
  });
});
