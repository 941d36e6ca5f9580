// A function node's run settings: how many attempts, the pause before a retry and the
// time limit of each call, over what its function's code says (shown as placeholders).
// Empty fields keep the function's; the node's data holds only what is set here.
import { memo, useState } from "react";
import type { NodeSchema } from "../api/types";
import { overrideText, parseSetting, policyText, RETRY_KEY, settingsOf, TIMEOUT_KEY, withRetry, type RetrySettings } from "../lib/runSettings";

interface RunSettingsProps {
  id: string;
  schema: NodeSchema;
  data: Record<string, unknown>;
  onChange: (patch: Record<string, unknown>) => void;
}

function SettingField({
  testId,
  label,
  title,
  kind,
  value,
  placeholder,
  onValue,
}: {
  testId: string;
  label: string;
  title: string;
  kind: "attempts" | "seconds";
  value: number | undefined;
  placeholder: string;
  onValue: (value: number | null) => void;
}) {
  const [draft, setDraft] = useState(value === undefined ? "" : String(value));
  const [invalid, setInvalid] = useState(false);
  // Follow outside changes (undo, a loaded workflow) unless they are what was typed.
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    setSeen(value);
    if (parseSetting(draft, kind) !== (value ?? null)) setDraft(value === undefined ? "" : String(value));
  }
  return (
    <div className="psy-row">
      <label className="psy-row__label" title={title} htmlFor={testId}>
        {label}
      </label>
      <input
        id={testId}
        className={`psy-input nodrag${invalid ? " is-invalid" : ""}`}
        data-testid={testId}
        inputMode="decimal"
        aria-invalid={invalid}
        value={draft}
        placeholder={placeholder}
        onChange={(event) => {
          const text = event.target.value;
          setDraft(text);
          const parsed = parseSetting(text, kind);
          setInvalid(parsed === "invalid");
          if (parsed !== "invalid") onValue(parsed);
        }}
      />
    </div>
  );
}

function RunSettingsImpl({ id, schema, data, onChange }: RunSettingsProps) {
  const [open, setOpen] = useState(false);
  const settings = settingsOf(data);
  const own = overrideText(settings);
  const policy = schema.retry;
  const setRetry = (key: keyof RetrySettings) => (value: number | null) => onChange({ [RETRY_KEY]: withRetry(settings.retry, key, value) });
  return (
    <div className="psy-props psy-run-settings">
      <button
        type="button"
        className="psy-props__toggle nodrag"
        aria-expanded={open}
        data-testid={`run-settings-toggle-${id}`}
        title={`Retries and timeout. The function's: ${policyText(policy)}${schema.timeout_s ? `, timeout ${schema.timeout_s} s` : ""}`}
        onClick={() => setOpen((o) => !o)}
      >
        <span className="psy-props__chevron">{open ? "▾" : "▸"}</span> Run settings
        {own ? (
          <span className="psy-run-settings__own" data-testid={`run-settings-summary-${id}`}>
            {own}
          </span>
        ) : null}
      </button>
      {open ? (
        <div className="psy-props__list">
          <SettingField
            testId={`retry-times-${id}`}
            label="Attempts"
            title="Calls in all when one fails, the first included (1: no retry)"
            kind="attempts"
            value={settings.retry.times}
            placeholder={String(policy?.times ?? 1)}
            onValue={setRetry("times")}
          />
          <SettingField
            testId={`retry-backoff-${id}`}
            label="Backoff (s)"
            title="Seconds before the second call, doubling before each next one"
            kind="seconds"
            value={settings.retry.backoff_s}
            placeholder={String(policy?.backoff_s ?? 0.5)}
            onValue={setRetry("backoff_s")}
          />
          <SettingField
            testId={`timeout-${id}`}
            label="Timeout (s)"
            title="A call that runs longer fails (0: no timeout)"
            kind="seconds"
            value={settings.timeout_s}
            placeholder={schema.timeout_s ? String(schema.timeout_s) : "none"}
            onValue={(value) => onChange({ [TIMEOUT_KEY]: value ?? undefined })}
          />
          {policy ? (
            <div className="psy-run-settings__on" title="The exceptions its function is retried on">
              Retried on {policy.on.join(", ")}
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

export const RunSettings = memo(RunSettingsImpl);
