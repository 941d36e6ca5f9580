import { act } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PsyNode } from "../lib/model";
import { OPEN_WORKFLOW_KEY } from "../lib/persistence";
import { graphSignature } from "../lib/workflows";
import { useGraphStore } from "../store/graphStore";
import { useRunStore } from "../store/runStore";
import { useUiStore } from "../store/uiStore";
import { useWorkflowStore } from "../store/workflowStore";
import { json, mockFetch } from "../test/fetchRoutes";
import { resetStores } from "../test/renderFlow";
import { isDirty, openWorkflow, refreshDirty, removeWorkflow, restoreWorkflow, save, saveAs } from "./workflowActions";

const v = (id: string, value = "1", x = 0): PsyNode => ({ id, type: "variableNode", position: { x, y: 0 }, data: { variableType: "Number", variableValue: value } });
const saved = (nodes: PsyNode[]) => ({ nodes: nodes.map((n) => ({ id: n.id, type: n.type, position: n.position, data: n.data })), edges: [] });
const ws = () => useWorkflowStore.getState();
const ui = () => useUiStore.getState();

beforeEach(() => {
  resetStores();
  useWorkflowStore.setState({ name: null, version: null, signature: null, dirty: false, busy: false });
  useUiStore.setState({ toasts: [], dialog: null, confirm: null });
  useRunStore.getState().clear();
});
afterEach(() => vi.unstubAllGlobals());

/** Answer the confirmation that `work` asks for. */
async function answering<T>(yes: boolean, work: () => Promise<T>): Promise<T> {
  const pending = work();
  await vi.waitFor(() => expect(ui().confirm).not.toBeNull());
  act(() => ui().answer(yes));
  return pending;
}

describe("save", () => {
  it("asks for a name the first time", async () => {
    useGraphStore.setState({ nodes: [v("a")] });
    await save();
    expect(ui().dialog).toBe("saveAs");
  });

  it("saves as: PUTs the graph with positions, then is that workflow, clean", async () => {
    useGraphStore.setState({ nodes: [v("a", "5", 120)] });
    const { calls } = mockFetch({ "PUT /workflows/sums": { name: "sums", version: 1, updated: "2025-01-31T12:00:01.000Z" } });
    await saveAs("sums");
    expect(calls[0].body).toEqual(saved([v("a", "5", 120)]));
    expect(ws()).toMatchObject({ name: "sums", version: 1, dirty: false });
    expect(JSON.parse(localStorage.getItem(OPEN_WORKFLOW_KEY)!)).toMatchObject({ name: "sums", version: 1 });
    expect(ui().toasts.at(-1)?.text).toContain("Saved 'sums' (version 1)");
  });

  it("refuses a bad name without asking the server", async () => {
    const { calls } = mockFetch({});
    await expect(saveAs("no spaces")).rejects.toThrow(/Only letters/);
    expect(calls).toHaveLength(0);
  });

  it("saves changes to the open workflow as its next version, and says when there are none", async () => {
    useGraphStore.setState({ nodes: [v("a")] });
    const { calls } = mockFetch({ "PUT /workflows/sums": { name: "sums", version: 2, updated: "2025-01-31T12:00:02.000Z" } });
    ws().setOpen({ name: "sums", version: 1, signature: graphSignature([v("a")], []) });
    await save();
    expect(calls).toHaveLength(0);
    expect(ui().toasts.at(-1)?.text).toContain("No changes since version 1");
    useGraphStore.getState().updateNodeData("a", { variableValue: "9" });
    expect(isDirty()).toBe(true);
    await save();
    expect(calls).toHaveLength(1);
    expect(ws()).toMatchObject({ version: 2, dirty: false });
  });

  it("shows the server's refusal as an error toast", async () => {
    useGraphStore.setState({ nodes: [v("a")] });
    ws().setOpen({ name: "sums", version: 1, signature: "old" });
    mockFetch({ "PUT /workflows/sums": json({ detail: "graph too large" }, 413) });
    await save();
    expect(ui().toasts.at(-1)).toMatchObject({ kind: "error", text: "Save failed: graph too large" });
    expect(ws().version).toBe(1);
  });
});

describe("dirty", () => {
  it("an untitled canvas with nodes is unsaved; an opened one is clean until edited", () => {
    expect(isDirty()).toBe(false);
    useGraphStore.setState({ nodes: [v("a")] });
    expect(isDirty()).toBe(true);
    ws().setOpen({ name: "w", version: 1, signature: graphSignature([v("a")], []) });
    refreshDirty();
    expect(ws().dirty).toBe(false);
    useGraphStore.getState().select(() => true);
    refreshDirty();
    expect(ws().dirty).toBe(false);
    useGraphStore.getState().updateNodeData("a", { variableValue: "2" });
    refreshDirty();
    expect(ws().dirty).toBe(true);
  });
});

describe("open", () => {
  const record = (version: number, nodes: PsyNode[]) => ({ name: "sums", version, updated: "2025-01-31T12:00:01.000Z", workflow: saved(nodes) });

  it("replaces the canvas with the latest version (one undo step) and clears the last run", async () => {
    mockFetch({ "GET /workflows/sums": record(3, [v("x", "7", 50)]) });
    useRunStore.getState().begin();
    expect(await openWorkflow("sums")).toBe(true);
    expect(useGraphStore.getState().nodes.map((n) => [n.id, n.position.x, n.data.variableValue])).toEqual([["x", 50, "7"]]);
    expect(ws()).toMatchObject({ name: "sums", version: 3, dirty: false });
    expect(useRunStore.getState().phase).toBe("idle");
    expect(useGraphStore.getState().past).toHaveLength(1);
  });

  it("opens an older version by number", async () => {
    const { calls } = mockFetch({ "GET /workflows/sums/versions/1": record(1, [v("old")]) });
    await openWorkflow("sums", 1);
    expect(calls[0].url).toBe("/workflows/sums/versions/1");
    expect(ws().version).toBe(1);
  });

  it("asks before replacing unsaved changes, and keeps them on Cancel", async () => {
    useGraphStore.setState({ nodes: [v("mine")] });
    const { calls } = mockFetch({ "GET /workflows/sums": record(1, [v("theirs")]) });
    expect(await answering(false, () => openWorkflow("sums"))).toBe(false);
    expect(calls).toHaveLength(0);
    expect(useGraphStore.getState().nodes[0].id).toBe("mine");
    expect(await answering(true, () => openWorkflow("sums"))).toBe(true);
    expect(useGraphStore.getState().nodes[0].id).toBe("theirs");
  });

  it("toasts when the workflow is gone", async () => {
    mockFetch({ "GET /workflows/gone": json({ detail: "No workflow of that name" }, 404) });
    expect(await openWorkflow("gone")).toBe(false);
    expect(ui().toasts.at(-1)?.kind).toBe("error");
    expect(ui().toasts.at(-1)?.text).toContain("No workflow of that name");
  });
});

describe("restore and delete", () => {
  it("restores a version as the newest, then opens that", async () => {
    const { calls } = mockFetch({
      "POST /workflows/sums/versions/1/restore": { name: "sums", version: 3, updated: "2025-01-31T12:00:03.000Z" },
      "GET /workflows/sums": { name: "sums", version: 3, updated: "2025-01-31T12:00:03.000Z", workflow: saved([v("first")]) },
    });
    expect(await restoreWorkflow("sums", 1)).toBe(true);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(["POST /workflows/sums/versions/1/restore", "GET /workflows/sums"]);
    expect(ws()).toMatchObject({ name: "sums", version: 3 });
    expect(useGraphStore.getState().nodes[0].id).toBe("first");
  });

  it("deletes after confirmation; the open one becomes untitled", async () => {
    useGraphStore.setState({ nodes: [v("a")] });
    ws().setOpen({ name: "sums", version: 2, signature: graphSignature([v("a")], []) });
    const { calls } = mockFetch({ "DELETE /workflows/sums": new Response(null, { status: 204 }) });
    expect(await answering(false, () => removeWorkflow("sums"))).toBe(false);
    expect(calls).toHaveLength(0);
    expect(await answering(true, () => removeWorkflow("sums"))).toBe(true);
    expect(calls).toHaveLength(1);
    expect(ws().name).toBeNull();
    expect(useGraphStore.getState().nodes).toHaveLength(1);
  });
});
