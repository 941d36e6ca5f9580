import { afterEach, describe, expect, it, vi } from "vitest";
import { json, mockFetch } from "../test/fetchRoutes";
import { ApiError } from "./config";
import { fetchRunDetail, listRuns, runsQuery } from "./history";
import type { RunDetail, RunList, RunSummary, VersionList, WorkflowList, WorkflowRecord, WorkflowSaved } from "./types";
import { deleteWorkflow, getWorkflow, getWorkflowVersion, listVersions, listWorkflows, restoreVersion, saveWorkflow } from "./workflows";

afterEach(() => vi.unstubAllGlobals());

const body = { nodes: [{ id: "a", type: "variableNode" as const, position: { x: 1, y: 2 }, data: { variableValue: "1" } }], edges: [] };

// The answers below are the gateway's, as its OpenAPI document declares them (`satisfies` checks it).

describe("workflow API", () => {
  it("saves with PUT and the graph as JSON", async () => {
    const saved = { name: "sums", version: 2, updated: "2023-11-14T22:13:20.500Z" } satisfies WorkflowSaved;
    const { calls } = mockFetch({ "PUT /workflows/sums": saved });
    expect(await saveWorkflow("sums", body)).toEqual(saved);
    expect(calls[0]).toMatchObject({ method: "PUT", url: "/workflows/sums", body });
  });

  it("lists workflows, reads the latest or one version", async () => {
    const record = { name: "sums", version: 1, updated: "2025-01-31T12:00:00.000Z", workflow: body } satisfies WorkflowRecord;
    const list = { workflows: [{ name: "sums", updated: "2025-01-31T12:00:00.000Z", versions: 3 }] } satisfies WorkflowList;
    mockFetch({
      "GET /workflows": list,
      "GET /workflows/sums": record,
      "GET /workflows/sums/versions/1": record,
    });
    expect(await listWorkflows()).toEqual(list.workflows);
    expect((await getWorkflow("sums")).workflow).toEqual(body);
    expect((await getWorkflowVersion("sums", 1)).version).toBe(1);
  });

  it("lists versions newest first, whatever order they come in", async () => {
    const versions = {
      name: "w",
      versions: [
        { version: 1, updated: "2025-01-31T12:00:01.000Z" },
        { version: 3, updated: "2025-01-31T12:00:03.000Z" },
        { version: 2, updated: "2025-01-31T12:00:02.000Z" },
      ],
    } satisfies VersionList;
    mockFetch({ "GET /workflows/w/versions": versions });
    expect((await listVersions("w")).map((v) => v.version)).toEqual([3, 2, 1]);
  });

  it("deletes (204, no body) and restores with POST", async () => {
    const { calls } = mockFetch({
      "DELETE /workflows/w": new Response(null, { status: 204 }),
      "POST /workflows/w/versions/1/restore": { name: "w", version: 4, updated: "2025-01-31T12:00:09.000Z" } satisfies WorkflowSaved,
    });
    await expect(deleteWorkflow("w")).resolves.toBeUndefined();
    expect(await restoreVersion("w", 1)).toMatchObject({ version: 4 });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(["DELETE /workflows/w", "POST /workflows/w/versions/1/restore"]);
  });

  it("raises the server's detail as an ApiError with its status", async () => {
    mockFetch({ "PUT /workflows/bad": json({ detail: "Names are 1-64 letters, digits, '-' or '_'." }, 400) });
    const failure = await saveWorkflow("bad", body).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(400);
    expect((failure as Error).message).toContain("1-64 letters");
  });

  it("escapes names in paths and passes the abort signal", async () => {
    const abort = new AbortController();
    const record = { name: "a/b", version: 1, updated: "2025-01-31T12:00:01.000Z", workflow: body } satisfies WorkflowRecord;
    const { calls } = mockFetch({ "GET /workflows/a%2Fb": record });
    await getWorkflow("a/b", abort.signal);
    expect(calls[0].signal).toBe(abort.signal);
  });
});

describe("run history API", () => {
  it("builds the query from the filter", () => {
    expect(runsQuery()).toBe("/runs");
    expect(runsQuery({ limit: 50 })).toBe("/runs?limit=50");
    expect(runsQuery({ workflow: "sums", status: "done", limit: 10 })).toBe("/runs?workflow=sums&status=done&limit=10");
    expect(runsQuery({ workflow: null, limit: 5 })).toBe("/runs?limit=5");
  });

  it("lists runs and reads one with its nodes", async () => {
    const run = { run_id: "r1", workflow: "sums", status: "done", started_at: 1, finished_at: 2, duration_ms: 1000, node_count: 3 } satisfies RunSummary;
    mockFetch({
      "GET /runs?workflow=sums&limit=50": { runs: [run] } satisfies RunList,
      "GET /runs/r1": { ...run, results: { v: 8 }, errors: {}, error: null, nodes: { a: { node_name: "add", status: "completed", output: 8 } } } satisfies RunDetail,
    });
    expect(await listRuns({ workflow: "sums", limit: 50 })).toEqual([run]);
    const detail = await fetchRunDetail("r1");
    expect(detail.nodes.a.output).toBe(8);
    expect(detail.results).toEqual({ v: 8 });
  });
});
