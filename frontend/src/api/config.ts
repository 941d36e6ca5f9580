// Same origin by default (the gateway serves the editor); VITE_API_URL overrides.
const configured: string = (import.meta.env.VITE_API_URL as string | undefined) ?? "";

export const API_BASE = configured.replace(/\/+$/, "");

// A gateway started with PSYNAPSE_API_TOKEN wants `Authorization: Bearer <token>`
// on every API call; the editor asks for it once and keeps it for this tab.
export const TOKEN_KEY = "psynapse.apiToken";

export function apiToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? "";
  } catch {
    return "";
  }
}

export function setApiToken(token: string): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage unavailable: the token lasts until reload
  }
}

/** Headers for an API call: `extra` plus the bearer token when there is one. */
export function apiHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const token = apiToken();
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

export function apiUrl(path: string): string {
  return `${API_BASE}${path.startsWith("/") ? path : `/${path}`}`;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The message of an error answer: Litestar's `detail`, else the status line. */
export async function errorFrom(response: Response): Promise<ApiError> {
  let detail = `${response.status} ${response.statusText}`.trim();
  try {
    const body = (await response.json()) as { detail?: unknown; error?: unknown };
    const text = body.detail ?? body.error;
    if (typeof text === "string" && text) detail = text;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(detail, response.status);
}
