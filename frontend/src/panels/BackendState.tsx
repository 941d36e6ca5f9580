// The catalog's load state in the library: loading, "backend unreachable"
// (with the next retry), or the API token prompt when the gateway wants one.
import { useEffect, useState } from "react";
import { apiToken, setApiToken } from "../api/config";
import { useCatalogStore } from "../store/catalogStore";

function TokenPrompt({ error, onSave }: { error: string | null; onSave: () => void }) {
  const [token, setToken] = useState(apiToken());
  return (
    <form
      className="psy-unreachable"
      role="alert"
      data-testid="token-prompt"
      onSubmit={(event) => {
        event.preventDefault();
        setApiToken(token.trim());
        onSave();
      }}
    >
      <strong>This server needs an API token</strong>
      <span className="psy-small psy-muted">{apiToken() ? `The token was refused: ${error}` : "Ask whoever runs it for PSYNAPSE_API_TOKEN."}</span>
      <input
        className="psy-input psy-mono"
        type="password"
        autoComplete="off"
        placeholder="API token"
        aria-label="API token"
        data-testid="token-input"
        value={token}
        onChange={(event) => setToken(event.target.value)}
      />
      <button type="submit" className="psy-button psy-button--small">
        Use token
      </button>
    </form>
  );
}

const secondsUntil = (at: number) => Math.max(0, Math.ceil((at - Date.now()) / 1000));

/** " · retrying in 3s", counting down to the next attempt (keyed by it, so each starts afresh). */
function RetryCountdown({ at }: { at: number }) {
  const [seconds, setSeconds] = useState(() => secondsUntil(at));
  useEffect(() => {
    const timer = setInterval(() => setSeconds(secondsUntil(at)), 500);
    return () => clearInterval(timer);
  }, [at]);
  return <>{` · retrying in ${seconds}s`}</>;
}

export function BackendState() {
  const status = useCatalogStore((s) => s.status);
  const error = useCatalogStore((s) => s.error);
  const attempt = useCatalogStore((s) => s.attempt);
  const nextRetryAt = useCatalogStore((s) => s.nextRetryAt);
  const reload = useCatalogStore((s) => s.reload);

  if (status === "loading") return <div className="psy-note psy-small" data-testid="catalog-loading">Loading nodes…</div>;
  if (status === "unauthorized") return <TokenPrompt error={error} onSave={reload} />;
  if (status !== "unreachable") return null;
  return (
    <div className="psy-unreachable" role="alert" data-testid="backend-unreachable">
      <strong>Backend unreachable</strong>
      <span className="psy-small">{error}</span>
      <span className="psy-small psy-muted">
        Attempt {attempt}
        {nextRetryAt ? <RetryCountdown key={nextRetryAt} at={nextRetryAt} /> : null}
      </span>
      <button type="button" className="psy-button psy-button--small" onClick={reload}>
        Retry now
      </button>
    </div>
  );
}
