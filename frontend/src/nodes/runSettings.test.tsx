// A function node's retry and timeout settings, and a run's retries as the editor shows them.
import { act, fireEvent, screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";
import type { RunEvent } from "../api/types";
import { overrideText, parseSetting, withRetry } from "../lib/runSettings";
import { toExecuteRequest } from "../lib/serialize";
import { useGraphStore } from "../store/graphStore";
import { useRunStore } from "../store/runStore";
import { renderFlow, resetStores, SCHEMAS } from "../test/renderFlow";
import { nodeSchema } from "../test/schemas";

const FETCH = nodeSchema({
  name: "fetch",
  params: [{ name: "url", type: "str" }],
  returns: [{ name: "result", type: "str" }],
  retry: { times: 3, backoff_s: 0.5, max_backoff_s: 30, on: ["TimeoutError", "ConnectionError"] },
  timeout_s: 60,
});
// A function whose parameter is named like a setting keeps the key for the parameter.
const TAKES_RETRY = nodeSchema({ name: "takes_retry", params: [{ name: "retry", type: "int" }], returns: [{ name: "result", type: "int" }] });
const schemas = [...SCHEMAS, FETCH, TAKES_RETRY];
const at = { x: 0, y: 0 };
const dataOf = (id: string) => useGraphStore.getState().nodes.find((n) => n.id === id)!.data;

beforeEach(() => {
  resetStores(schemas);
  useRunStore.getState().clear();
});

describe("run settings", () => {
  it("read typed numbers, refusing what a setting cannot take", () => {
    expect(parseSetting("", "attempts")).toBeNull();
    expect(parseSetting(" 4 ", "attempts")).toBe(4);
    expect(parseSetting("0", "attempts")).toBe("invalid");
    expect(parseSetting("2.5", "attempts")).toBe("invalid");
    expect(parseSetting("101", "attempts")).toBe("invalid");
    expect(parseSetting("0.25", "seconds")).toBe(0.25);
    expect(parseSetting("-1", "seconds")).toBe("invalid");
    expect(parseSetting("soon", "seconds")).toBe("invalid");
    expect(withRetry({ times: 3 }, "times", null)).toBeUndefined();
    expect(withRetry({ times: 3 }, "backoff_s", 1)).toEqual({ times: 3, backoff_s: 1 });
    expect(overrideText({ retry: { times: 1 }, timeout_s: 0 })).toBe("no retry · no timeout");
  });

  it("show the function's policy and write the node's own into its data", () => {
    renderFlow([{ id: "f1", type: "functionNode", position: at, data: { functionName: "fetch" } }]);
    expect(screen.queryByTestId("retry-times-f1")).toBeNull();
    fireEvent.click(screen.getByTestId("run-settings-toggle-f1"));
    expect(screen.getByTestId("retry-times-f1")).toHaveAttribute("placeholder", "3");
    expect(screen.getByTestId("retry-backoff-f1")).toHaveAttribute("placeholder", "0.5");
    expect(screen.getByTestId("timeout-f1")).toHaveAttribute("placeholder", "60");
    expect(within(screen.getByTestId("node-f1")).getByText("Retried on TimeoutError, ConnectionError")).toBeInTheDocument();
    fireEvent.change(screen.getByTestId("retry-times-f1"), { target: { value: "5" } });
    fireEvent.change(screen.getByTestId("retry-backoff-f1"), { target: { value: "0.2" } });
    fireEvent.change(screen.getByTestId("timeout-f1"), { target: { value: "10" } });
    expect(dataOf("f1")).toMatchObject({ retry: { times: 5, backoff_s: 0.2 }, timeout_s: 10 });
    expect(screen.getByTestId("run-settings-summary-f1")).toHaveTextContent("5 attempts · backoff 0.2 s · timeout 10 s");
    // A value the setting cannot take is marked and not written; an empty field gives the function's back.
    fireEvent.change(screen.getByTestId("retry-times-f1"), { target: { value: "0" } });
    expect(screen.getByTestId("retry-times-f1")).toHaveAttribute("aria-invalid", "true");
    expect(dataOf("f1").retry).toEqual({ times: 5, backoff_s: 0.2 });
    fireEvent.change(screen.getByTestId("retry-times-f1"), { target: { value: "" } });
    fireEvent.change(screen.getByTestId("retry-backoff-f1"), { target: { value: "" } });
    fireEvent.change(screen.getByTestId("timeout-f1"), { target: { value: "" } });
    expect(dataOf("f1").retry).toBeUndefined();
    expect(dataOf("f1").timeout_s).toBeUndefined();
  });

  it("go with the run; a parameter of the same name stays a parameter", () => {
    const schemaOf = (name: string) => schemas.find((s) => s.name === name);
    const request = toExecuteRequest(
      [
        { id: "f1", type: "functionNode", position: at, data: { functionName: "fetch", url: "u", retry: { times: 2 }, timeout_s: 5, stray: 1 } },
        { id: "t1", type: "functionNode", position: at, data: { functionName: "takes_retry", retry: 4, timeout_s: 5 } },
      ],
      [],
      schemaOf,
    );
    expect(request.nodes[0].data).toEqual({ functionName: "fetch", url: "u", retry: { times: 2 }, timeout_s: 5 });
    expect(request.nodes[1].data).toEqual({ functionName: "takes_retry", retry: 4, timeout_s: 5 });
    renderFlow([{ id: "t1", type: "functionNode", position: at, data: { functionName: "takes_retry" } }]);
    expect(screen.queryByTestId("run-settings-toggle-t1")).toBeNull();
  });
});

describe("a retried node", () => {
  const head = { node_id: "f1", node_number: 1, node_name: "fetch" };
  const apply = (events: RunEvent[]) => act(() => useRunStore.getState().apply(events));

  it("shows each retry on the node and its card, then how many attempts it took", () => {
    renderFlow([{ id: "f1", type: "functionNode", position: at, data: { functionName: "fetch" } }]);
    useRunStore.getState().begin();
    apply([
      { ...head, status: "executing", inputs: { url: "u" } },
      { ...head, status: "streaming", streaming_text: "half", streaming_chunk: "half" },
      { ...head, status: "retrying", attempt: 2, max_attempts: 3, error: "Connection refused", delay_s: 0.5 },
    ]);
    const node = screen.getByTestId("node-f1");
    expect(node).toHaveAttribute("data-status", "retrying");
    expect(node).toHaveClass("psy-node--retrying");
    const retry = within(node).getByTestId("node-retrying");
    expect(retry).toHaveTextContent("Retrying: attempt 2 of 3 in 0.5 s");
    expect(retry).toHaveTextContent("Connection refused");
    const entry = useRunStore.getState().entries[0];
    expect(entry.streaming_text).toBe(""); // the next call streams afresh
    expect(entry.inputs).toEqual({ url: "u" });
    apply([{ ...head, status: "completed", output: "ok", attempts: 2 }]);
    expect(node).toHaveAttribute("data-status", "completed");
    expect(within(node).queryByTestId("node-retrying")).toBeNull();
    expect(within(node).getByTestId("node-attempts")).toHaveTextContent("Took 2 attempts");
  });

  it("tells a timeout from its own failure", () => {
    useRunStore.getState().begin();
    useRunStore.getState().apply([{ ...head, status: "error", error: "timed out after 1 s", error_kind: "timeout" }]);
    const entry = useRunStore.getState().entries[0];
    expect(entry.error_kind).toBe("timeout");
    expect(useRunStore.getState().live.f1.display).toBe("error");
  });
});
