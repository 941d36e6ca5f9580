// The control of a Path parameter: pick a file, which goes to the gateway's object store;
// the input keeps its reference, and the node gets a local path to the file on its runner.
import { memo, useState } from "react";
import { isFileRef, uploadFile } from "../api/files";
import { formatBytes } from "../lib/format";

export interface FileParamProps {
  testId: string;
  name: string;
  value: unknown;
  onChange: (name: string, value: unknown) => void;
}

function FileParamImpl({ testId, name, value, onChange }: FileParamProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const file = isFileRef(value) ? value : null;
  const typed = typeof value === "string" && value ? value : null;
  return (
    <div className="psy-file nodrag" data-testid={testId}>
      <div className="psy-file__name" data-testid={`${testId}-name`} title={file ? `${file.name}, ${formatBytes(file.size)}` : (typed ?? undefined)}>
        {busy ? "Uploading…" : file ? `${file.name} · ${formatBytes(file.size)}` : (typed ?? "No file")}
      </div>
      <div className="psy-file__actions">
        <label className={`psy-button psy-button--small nodrag${busy ? " is-disabled" : ""}`}>
          {file ? "Replace…" : "Choose file…"}
          <input
            type="file"
            className="psy-hidden-input"
            data-testid={`${testId}-input`}
            disabled={busy}
            onChange={(event) => {
              const chosen = event.target.files?.[0];
              event.target.value = "";
              if (!chosen) return;
              setBusy(true);
              setError(null);
              uploadFile(chosen).then(
                (ref) => {
                  setBusy(false);
                  onChange(name, ref);
                },
                (reason: unknown) => {
                  setBusy(false);
                  setError(`Upload failed: ${reason instanceof Error ? reason.message : String(reason)}`);
                },
              );
            }}
          />
        </label>
        {file || typed ? (
          <button type="button" className="psy-button psy-button--small psy-button--ghost nodrag" onClick={() => onChange(name, "")}>
            Clear
          </button>
        ) : null}
      </div>
      {error ? (
        <div className="psy-field-error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

export const FileParam = memo(FileParamImpl);
