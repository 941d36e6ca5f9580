// A value as the editor shows it everywhere (views, status cards, history):
// JSON pretty-printed, and images (data URLs, also inside messages and lists) as
// thumbnails rather than pages of base64, DataFrames as a table of their first rows, and
// arrays (numpy's, as nested lists) as a grid.
import { memo } from "react";
import { arrayShape, imagesIn, isImage, isTablePreview, sizeOf, valueText } from "../lib/values";
import { ArrayPreview } from "./ArrayPreview";
import { TableView } from "./TableView";

export interface ValueViewProps {
  value: unknown;
  /** Classes of the text block (the view node's and the cards' differ). */
  className: string;
  testId?: string;
}

function ValueViewImpl({ value, className, testId }: ValueViewProps) {
  if (isTablePreview(value)) return <TableView table={value} testId={testId} />;
  if (isImage(value)) {
    return (
      <div className={`${className} psy-value--image nowheel`} data-testid={testId}>
        <img className="psy-thumb psy-thumb--single" src={value} alt="image value" title={`Image, ${sizeOf(value)}`} />
      </div>
    );
  }
  const shape = arrayShape(value);
  if (shape) return <ArrayPreview value={value as unknown[]} shape={shape} testId={testId} />;
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
