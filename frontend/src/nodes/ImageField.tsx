// An image as a data URL: an upload with a preview. A variable's Image value and an image
// parameter (PIL.Image.Image) both take one; a runner gives an image parameter the PIL image.
import { useState } from "react";

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === "string" ? reader.result : "");
    reader.onerror = () => reject(reader.error ?? new Error(`Could not read ${file.name}`));
    reader.readAsDataURL(file);
  });
}

export interface ImageFieldProps {
  /** The preview is `<testId>-preview`, the file input `<testId>-input`. */
  testId: string;
  value: unknown;
  onChange: (value: string) => void;
}

export function ImageField({ testId, value, onChange }: ImageFieldProps) {
  const [error, setError] = useState<string | null>(null);
  const url = typeof value === "string" ? value : "";
  return (
    <div className="psy-image nodrag" data-testid={testId}>
      {url.startsWith("data:image/") ? (
        <img className="psy-image__preview" src={url} alt="image value" data-testid={`${testId}-preview`} />
      ) : (
        <div className="psy-image__empty">No image</div>
      )}
      <div className="psy-image__actions">
        <label className="psy-button psy-button--small nodrag">
          Upload…
          <input
            type="file"
            accept="image/*"
            className="psy-hidden-input"
            data-testid={`${testId}-input`}
            onChange={(event) => {
              const file = event.target.files?.[0];
              if (!file) return;
              if (!file.type.startsWith("image/")) {
                setError("Not an image file");
                return;
              }
              setError(null);
              readAsDataUrl(file).then(onChange, (error: unknown) => setError(error instanceof Error ? error.message : String(error)));
            }}
          />
        </label>
        {url ? (
          <button type="button" className="psy-button psy-button--small psy-button--ghost nodrag" onClick={() => onChange("")}>
            Clear
          </button>
        ) : null}
      </div>
      {error ? <div className="psy-field-error">{error}</div> : null}
    </div>
  );
}
