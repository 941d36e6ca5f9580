// A function node's own retry and timeout settings (docs/api.md, "Retries and
// timeouts"): `data.retry = {times, backoff_s}` and `data.timeout_s`, over the policy
// its function's code gives (the schema's `retry` and `timeout_s`). A function with a
// parameter of that name takes the key as the parameter's value instead.
import type { NodeSchema, RetryPolicy } from "../api/types";

export const RETRY_KEY = "retry";
export const TIMEOUT_KEY = "timeout_s";
export const MAX_ATTEMPTS = 100;

export interface RetrySettings {
  times?: number;
  backoff_s?: number;
  max_backoff_s?: number;
}

/** Whether `key` of a function node's data is one of its run settings (sent with the run, not a parameter). */
export function isRunSetting(key: string, schema: NodeSchema | undefined): boolean {
  return (key === RETRY_KEY || key === TIMEOUT_KEY) && !(schema?.params ?? []).some((p) => p.name === key);
}

/** The settings a node's data holds (only objects and numbers count). */
export function settingsOf(data: Record<string, unknown>): { retry: RetrySettings; timeout_s?: number } {
  const raw = data[RETRY_KEY];
  const retry: RetrySettings = {};
  if (raw && typeof raw === "object" && !Array.isArray(raw)) {
    for (const key of ["times", "backoff_s", "max_backoff_s"] as const) {
      const value = (raw as Record<string, unknown>)[key];
      if (typeof value === "number") retry[key] = value;
    }
  }
  const timeout = data[TIMEOUT_KEY];
  return typeof timeout === "number" ? { retry, timeout_s: timeout } : { retry };
}

/** A typed number, or null for an empty field, or "invalid" for one the setting cannot take. */
export function parseSetting(text: string, kind: "attempts" | "seconds"): number | null | "invalid" {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const value = Number(trimmed);
  if (!Number.isFinite(value) || value < 0) return "invalid";
  if (kind === "attempts" && (!Number.isInteger(value) || value < 1 || value > MAX_ATTEMPTS)) return "invalid";
  return value;
}

/** The data that keeps `retry` with one key changed (null: the function's value); undefined when nothing is left. */
export function withRetry(current: RetrySettings, key: keyof RetrySettings, value: number | null): RetrySettings | undefined {
  const next: RetrySettings = { ...current };
  if (value === null) delete next[key];
  else next[key] = value;
  return Object.keys(next).length > 0 ? next : undefined;
}

/** "3 attempts, 0.5 s apart" for a policy; "no retry" for one call. */
export function policyText(policy: Pick<RetryPolicy, "times" | "backoff_s"> | undefined): string {
  if (!policy || policy.times <= 1) return "no retry";
  return `${policy.times} attempts, ${policy.backoff_s} s apart`;
}

/** What the toggle says when a node has settings of its own: "5 attempts · timeout 30 s". */
export function overrideText(settings: { retry: RetrySettings; timeout_s?: number }): string {
  const parts: string[] = [];
  if (settings.retry.times !== undefined) parts.push(settings.retry.times === 1 ? "no retry" : `${settings.retry.times} attempts`);
  if (settings.retry.backoff_s !== undefined) parts.push(`backoff ${settings.retry.backoff_s} s`);
  if (settings.timeout_s !== undefined) parts.push(settings.timeout_s === 0 ? "no timeout" : `timeout ${settings.timeout_s} s`);
  return parts.join(" · ");
}
