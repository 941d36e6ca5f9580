import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { nodeSchema } from "../test/schemas";
import { backoffDelay, createSchemaLoader } from "./schemaLoader";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const ADD = nodeSchema({ name: "add", params: [], returns: [] });

describe("schema loader", () => {
  it("backs off exponentially up to a cap", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n))).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it("retries until the backend answers, reporting each failure", async () => {
    let calls = 0;
    const onReady = vi.fn();
    const onFailure = vi.fn();
    const loader = createSchemaLoader({
      loadSchema: () => {
        calls += 1;
        if (calls < 4) return Promise.reject(new Error("Failed to fetch"));
        return Promise.resolve([ADD]);
      },
      loadPacks: () => Promise.resolve({ packs: [], clashes: [] }),
      onReady,
      onFailure,
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(onFailure).toHaveBeenLastCalledWith("Failed to fetch", 1, expect.any(Number), false);
    await vi.advanceTimersByTimeAsync(499);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(3);
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls).toBe(4);
    expect(onReady).toHaveBeenCalledWith([ADD], { packs: [], clashes: [] });
    loader.stop();
  });

  it("reload resets the backoff and a failing /nodepacks does not hide the nodes", async () => {
    const onReady = vi.fn();
    const loader = createSchemaLoader({
      loadSchema: () => Promise.resolve([]),
      loadPacks: () => Promise.reject(new Error("404")),
      onReady,
      onFailure: vi.fn(),
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(onReady).toHaveBeenCalledTimes(1);
    loader.reload();
    await vi.advanceTimersByTimeAsync(0);
    expect(onReady).toHaveBeenCalledTimes(2);
    loader.stop();
  });
});
