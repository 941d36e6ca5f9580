// Values as the editor shows them: JSON pretty-printed, images (data URLs, also inside
// messages and lists) found at any depth and shortened in text.
const IMAGE = /^data:image\/[\w.+-]+;base64,/;
const LIMIT = 20000;
const THUMBS = 6;

export function isImage(value: unknown): value is string {
  return typeof value === "string" && IMAGE.test(value);
}

/** A data URL's decoded size, as "12.3 KB". */
export function sizeOf(url: string): string {
  const bytes = Math.round(((url.length - url.indexOf(",") - 1) * 3) / 4);
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

/** The images a value holds, at any depth (up to `limit`). */
export function imagesIn(value: unknown, limit = THUMBS, found: string[] = []): string[] {
  if (found.length >= limit) return found;
  if (isImage(value)) found.push(value);
  else if (Array.isArray(value)) value.forEach((item) => imagesIn(item, limit, found));
  else if (value && typeof value === "object") Object.values(value).forEach((item) => imagesIn(item, limit, found));
  return found;
}

/** The value with each image's base64 replaced by a short stand-in: "data:image/png;base64,… (12.3 KB)". */
export function withoutBase64(value: unknown): unknown {
  if (isImage(value)) return `${value.slice(0, value.indexOf(",") + 1)}… (${sizeOf(value)})`;
  if (Array.isArray(value)) return value.map(withoutBase64);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutBase64(v)]));
  return value;
}

export function valueText(value: unknown): string {
  if (typeof value === "string") return value;
  let text: string;
  try {
    text = JSON.stringify(withoutBase64(value), null, 2) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > LIMIT ? `${text.slice(0, LIMIT)}\n… (${text.length - LIMIT} more characters)` : text;
}

/** A pandas DataFrame as the gateway shows it: its shape, columns, dtypes and first rows. */
export interface TablePreview {
  kind: "dataframe";
  shape: [number, number];
  columns: string[];
  dtypes: string[];
  index_name: string | null;
  index: string[];
  rows: unknown[][];
}

export function isTablePreview(value: unknown): value is TablePreview {
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    v.kind === "dataframe" &&
    Array.isArray(v.shape) &&
    v.shape.length === 2 &&
    Array.isArray(v.columns) &&
    Array.isArray(v.dtypes) &&
    Array.isArray(v.index) &&
    Array.isArray(v.rows)
  );
}

/** A table cell as text: null for missing values, JSON for anything nested. */
export function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return "null";
  if (typeof cell === "string") return cell;
  if (typeof cell === "number" || typeof cell === "boolean") return String(cell);
  return JSON.stringify(cell);
}

/** "3 rows × 4 columns", and what of them the preview leaves out. */
export function tableSummary(table: TablePreview): string {
  const [rows, columns] = table.shape;
  const plural = (n: number, word: string) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
  const shown: string[] = [];
  if (table.rows.length < rows) shown.push(`first ${table.rows.length} rows`);
  if (table.columns.length < columns) shown.push(`first ${table.columns.length} columns`);
  return `DataFrame · ${plural(rows, "row")} × ${plural(columns, "column")}${shown.length ? ` (showing ${shown.join(", ")})` : ""}`;
}

/** The shape of a rectangular array of numbers with two or more dimensions (a numpy array
 * as views get it: nested lists), or null for anything else. */
export function arrayShape(value: unknown): number[] | null {
  if (!Array.isArray(value) || value.length === 0 || !Array.isArray(value[0])) return null;
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  if (typeof level !== "number" || shape.length > 6 || shape.includes(0)) return null;
  const fits = (item: unknown, depth: number): boolean =>
    depth === shape.length
      ? typeof item === "number"
      : Array.isArray(item) && item.length === shape[depth] && item.every((inner) => fits(inner, depth + 1));
  return fits(value, 0) ? shape : null;
}

/** An array's numbers flattened (its shape checked by arrayShape). */
export function arrayNumbers(value: unknown): number[] {
  return Array.isArray(value) ? value.flatMap(arrayNumbers) : typeof value === "number" ? [value] : [];
}
