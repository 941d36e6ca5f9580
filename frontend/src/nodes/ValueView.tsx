// A value as the editor shows it everywhere (views, status cards, history):
// JSON pretty-printed, and images (data URLs, also inside messages and lists) as
// thumbnails rather than pages of base64.
import { memo } from "react";

const IMAGE = /^data:image\/[\w.+-]+;base64,/;
const LIMIT = 20000;
const THUMBS = 6;

export function isImage(value: unknown): value is string {
  return typeof value === "string" && IMAGE.test(value);
}

function sizeOf(url: string): string {
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

export interface ValueViewProps {
  value: unknown;
  /** Classes of the text block (the view node's and the cards' differ). */
  className: string;
  testId?: string;
}

function ValueViewImpl({ value, className, testId }: ValueViewProps) {
  if (isImage(value)) {
    return (
      <div className={`${className} psy-value--image nowheel`} data-testid={testId}>
        <img className="psy-thumb psy-thumb--single" src={value} alt="image value" title={`Image, ${sizeOf(value)}`} />
      </div>
    );
  }
  const images = typeof value === "object" ? imagesIn(value) : [];
  const text = <pre className={`${className} nowheel nodrag`} data-testid={images.length ? undefined : testId}>{valueText(value)}</pre>;
  if (images.length === 0) return text;
  return (
    <div className="psy-value" data-testid={testId}>
      {text}
      <div className="psy-thumbs" data-testid="value-thumbnails">
        {images.map((url, index) => (
          <img key={index} className="psy-thumb" src={url} alt={`image ${index + 1}`} title={`Image, ${sizeOf(url)}`} />
        ))}
      </div>
    </div>
  );
}

export const ValueView = memo(ValueViewImpl);
