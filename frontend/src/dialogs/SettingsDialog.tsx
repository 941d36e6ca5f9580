// Env vars for runs: kept in sessionStorage only (gone with the tab), sent
// as `env_vars` with each run, values masked.
import { useState } from "react";
import { loadEnvVars, saveEnvVars, type EnvVar } from "../lib/persistence";
import { Dialog } from "./Dialog";

export function SettingsDialog({ onClose }: { onClose: () => void }) {
  const [vars, setVars] = useState<EnvVar[]>(() => {
    const saved = loadEnvVars();
    return saved.length ? saved : [{ key: "", value: "" }];
  });
  const [shown, setShown] = useState<Record<number, boolean>>({});
  const update = (next: EnvVar[]) => {
    setVars(next);
    saveEnvVars(next.filter((v) => v.key.trim() || v.value));
  };
  return (
    <Dialog title="Settings" onClose={onClose} testId="settings-dialog">
      <h3 className="psy-dialog__section">Environment variables for runs</h3>
      <p className="psy-small psy-muted">
        Sent with each run as <code>env_vars</code> (e.g. <code>OPENAI_API_KEY</code>). Kept only in this browser tab&apos;s
        session storage; never saved with the workflow.
      </p>
      <div className="psy-env">
        {vars.map((v, index) => (
          <div className="psy-env__row" key={index} data-testid="env-row">
            <input
              className="psy-input psy-mono"
              placeholder="NAME"
              aria-label="variable name"
              data-testid="env-key"
              value={v.key}
              onChange={(e) => update(vars.map((x, i) => (i === index ? { ...x, key: e.target.value } : x)))}
            />
            <input
              className="psy-input psy-mono"
              type={shown[index] ? "text" : "password"}
              placeholder="value"
              aria-label="variable value"
              autoComplete="off"
              data-testid="env-value"
              value={v.value}
              onChange={(e) => update(vars.map((x, i) => (i === index ? { ...x, value: e.target.value } : x)))}
            />
            <button
              type="button"
              className="psy-icon-button"
              aria-label={shown[index] ? "Hide value" : "Show value"}
              title={shown[index] ? "Hide value" : "Show value"}
              onClick={() => setShown((s) => ({ ...s, [index]: !s[index] }))}
            >
              {shown[index] ? "◉" : "◎"}
            </button>
            <button
              type="button"
              className="psy-icon-button"
              aria-label="Remove variable"
              onClick={() => update(vars.filter((_, i) => i !== index))}
            >
              ✕
            </button>
          </div>
        ))}
      </div>
      <button type="button" className="psy-button psy-button--small" data-testid="env-add" onClick={() => update([...vars, { key: "", value: "" }])}>
        + Add variable
      </button>
    </Dialog>
  );
}
