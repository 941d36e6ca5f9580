import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PsyNode } from "../lib/model";
import { ENV_KEY, envVarsRecord } from "../lib/persistence";
import { useGraphStore } from "../store/graphStore";
import { useUiStore } from "../store/uiStore";
import { useWorkflowStore } from "../store/workflowStore";
import { json, mockFetch } from "../test/fetchRoutes";
import { resetStores, SCHEMAS } from "../test/renderFlow";
import { ConfirmDialog } from "./ConfirmDialog";
import { OpenWorkflowDialog } from "./OpenWorkflowDialog";
import { SaveAsDialog } from "./SaveAsDialog";
import { SettingsDialog } from "./SettingsDialog";

const v = (id: string, value = "1"): PsyNode => ({ id, type: "variableNode", position: { x: 0, y: 0 }, data: { variableType: "Number", variableValue: value } });
const fileOf = (nodes: PsyNode[]) => ({ nodes: nodes.map(({ id, type, position, data }) => ({ id, type, position, data })), edges: [] });

beforeEach(() => {
  resetStores(SCHEMAS);
  useWorkflowStore.setState({ name: null, version: null, signature: null, dirty: false, busy: false });
  useUiStore.setState({ toasts: [], dialog: null, confirm: null });
});
afterEach(() => vi.unstubAllGlobals());

describe("SaveAsDialog", () => {
  it("checks the name as it is typed and does not send a bad one", async () => {
    const { calls } = mockFetch({ "GET /workflows": { workflows: [] } });
    render(<SaveAsDialog onClose={() => undefined} />);
    const input = screen.getByLabelText("Workflow name");
    fireEvent.change(input, { target: { value: "has space" } });
    expect(screen.getByTestId("save-as-error")).toHaveTextContent(/Only letters/);
    expect(input).toHaveAttribute("aria-invalid", "true");
    fireEvent.submit(screen.getByTestId("save-as-form"));
    await act(() => Promise.resolve());
    expect(calls.filter((c) => c.method === "PUT")).toHaveLength(0);
  });

  it("saves and closes; notes a name that exists", async () => {
    useGraphStore.setState({ nodes: [v("a")] });
    const { calls } = mockFetch({
      "GET /workflows": { workflows: [{ name: "sums", updated: "2025-01-31T12:00:01.000Z", versions: 2 }] },
      "PUT /workflows/sums": { name: "sums", version: 3, updated: "2025-01-31T12:00:02.000Z" },
    });
    const onClose = vi.fn();
    render(<SaveAsDialog onClose={onClose} />);
    fireEvent.change(screen.getByLabelText("Workflow name"), { target: { value: "sums" } });
    await screen.findByTestId("save-as-exists");
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual(fileOf([v("a")]));
    expect(useWorkflowStore.getState()).toMatchObject({ name: "sums", version: 3 });
  });

  it("shows the server's refusal in the dialog", async () => {
    mockFetch({ "GET /workflows": { workflows: [] }, "PUT /workflows/ok": json({ detail: "graph has 5000 nodes, the limit is 2000" }, 413) });
    const onClose = vi.fn();
    render(<SaveAsDialog onClose={onClose} />);
    fireEvent.change(screen.getByLabelText("Workflow name"), { target: { value: "ok" } });
    fireEvent.submit(screen.getByTestId("save-as-form"));
    expect(await screen.findByRole("alert")).toHaveTextContent("the limit is 2000");
    expect(onClose).not.toHaveBeenCalled();
  });
});

describe("OpenWorkflowDialog", () => {
  const routes = () => ({
    "GET /workflows": { workflows: [{ name: "sums", updated: "2023-11-14T22:13:20.000Z", versions: 2 }, { name: "other", updated: "2023-11-14T22:13:20.000Z", versions: 1 }] },
    "GET /workflows/sums/versions": { name: "sums", versions: [{ version: 2, updated: "2025-01-31T12:00:02.000Z" }, { version: 1, updated: "2025-01-31T12:00:01.000Z" }] },
    "GET /workflows/sums/versions/1": { name: "sums", version: 1, updated: "2025-01-31T12:00:01.000Z", workflow: fileOf([v("one")]) },
    "POST /workflows/sums/versions/1/restore": { name: "sums", version: 3, updated: "2025-01-31T12:00:03.000Z" },
    "GET /workflows/sums": { name: "sums", version: 3, updated: "2025-01-31T12:00:03.000Z", workflow: fileOf([v("restored")]) },
    "GET /workflows/other": { name: "other", version: 1, updated: "2025-01-31T12:00:01.000Z", workflow: fileOf([v("o")]) },
    "DELETE /workflows/other": new Response(null, { status: 204 }),
  });

  it("lists workflows; picking one lists its versions newest first", async () => {
    mockFetch(routes());
    render(<OpenWorkflowDialog onClose={() => undefined} />);
    const items = await screen.findAllByTestId("workflow-item");
    expect(items.map((i) => i.getAttribute("data-name"))).toEqual(["sums", "other"]);
    expect(within(items[0]).getByTestId("workflow-versions")).toHaveTextContent("2");
    fireEvent.click(screen.getByRole("button", { name: "Show versions of sums" }));
    const versions = await screen.findAllByTestId("version-item");
    expect(versions.map((i) => i.getAttribute("data-version"))).toEqual(["2", "1"]);
    // the newest cannot be restored (it is what Open opens)
    expect(within(versions[0]).queryByRole("button", { name: /Restore/ })).toBeNull();
  });

  it("opens a version, replacing the canvas, and closes", async () => {
    mockFetch(routes());
    const onClose = vi.fn();
    render(<OpenWorkflowDialog onClose={onClose} />);
    fireEvent.click(await screen.findByRole("button", { name: "Show versions of sums" }));
    fireEvent.click(await screen.findByRole("button", { name: "Open version 1" }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(useGraphStore.getState().nodes.map((n) => n.id)).toEqual(["one"]);
    expect(useWorkflowStore.getState()).toMatchObject({ name: "sums", version: 1 });
  });

  it("restores a version and opens the new latest", async () => {
    const { calls } = mockFetch(routes());
    const onClose = vi.fn();
    render(<OpenWorkflowDialog onClose={onClose} />);
    fireEvent.click(await screen.findByRole("button", { name: "Show versions of sums" }));
    fireEvent.click(await screen.findByRole("button", { name: "Restore version 1" }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(calls.some((c) => c.method === "POST" && c.url === "/workflows/sums/versions/1/restore")).toBe(true);
    expect(useWorkflowStore.getState()).toMatchObject({ name: "sums", version: 3 });
    expect(useGraphStore.getState().nodes.map((n) => n.id)).toEqual(["restored"]);
  });

  it("asks before discarding unsaved changes", async () => {
    useGraphStore.setState({ nodes: [v("mine")] });
    mockFetch(routes());
    const onClose = vi.fn();
    render(
      <>
        <OpenWorkflowDialog onClose={onClose} />
        <ConfirmDialog />
      </>,
    );
    fireEvent.click(await screen.findByRole("button", { name: "Open other" }));
    const confirm = await screen.findByRole("alertdialog", { name: "Discard unsaved changes?" });
    // Escape answers the question and leaves the Open dialog up
    fireEvent.keyDown(confirm, { key: "Escape" });
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(onClose).not.toHaveBeenCalled();
    expect(useGraphStore.getState().nodes[0].id).toBe("mine");
    fireEvent.click(screen.getByRole("button", { name: "Open other" }));
    fireEvent.click(await screen.findByRole("button", { name: "Discard changes" }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(useGraphStore.getState().nodes[0].id).toBe("o");
  });

  it("deletes after confirming and lists again", async () => {
    const { calls } = mockFetch(routes());
    render(
      <>
        <OpenWorkflowDialog onClose={() => undefined} />
        <ConfirmDialog />
      </>,
    );
    fireEvent.click(await screen.findByRole("button", { name: "Delete other" }));
    expect(await screen.findByRole("alertdialog", { name: "Delete 'other'?" })).toBeInTheDocument();
    fireEvent.click(screen.getByTestId("confirm-ok"));
    await waitFor(() => expect(calls.filter((c) => c.url === "/workflows").length).toBe(2));
    expect(calls.some((c) => c.method === "DELETE" && c.url === "/workflows/other")).toBe(true);
  });

  it("says when nothing is saved yet", async () => {
    mockFetch({ "GET /workflows": { workflows: [] } });
    render(<OpenWorkflowDialog onClose={() => undefined} />);
    expect(await screen.findByTestId("open-empty")).toHaveTextContent("No saved workflows yet");
  });
});

describe("SettingsDialog", () => {
  it("keeps env vars in sessionStorage only, values masked", () => {
    render(<SettingsDialog onClose={() => undefined} />);
    fireEvent.change(screen.getByTestId("env-key"), { target: { value: "OPENAI_API_KEY" } });
    fireEvent.change(screen.getByTestId("env-value"), { target: { value: "sk-secret" } });
    expect(screen.getByTestId("env-value")).toHaveAttribute("type", "password");
    expect(JSON.parse(sessionStorage.getItem(ENV_KEY)!)).toEqual([{ key: "OPENAI_API_KEY", value: "sk-secret" }]);
    expect(JSON.stringify(localStorage)).not.toContain("sk-secret");
    expect(envVarsRecord()).toEqual({ OPENAI_API_KEY: "sk-secret" });
  });
});
