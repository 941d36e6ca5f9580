import type { PackReport } from "../api/types";

/** A nodepack that failed to load: where and why. */
export function PackErrors({ report }: { report: PackReport }) {
  return (
    <ul className="psy-pack-errors" data-testid="pack-error" data-pack={report.name}>
      {report.errors.map((error, index) => (
        <li key={index}>
          <code className="psy-pack-errors__where">
            {error.file}
            {error.line != null ? `:${error.line}` : ""}
          </code>
          <span className="psy-pack-errors__message">
            {error.message}
            {error.pool ? ` (in pool ${error.pool}'s environment)` : ""}
          </span>
        </li>
      ))}
      {report.errors.length === 0 ? <li>This pack failed to load.</li> : null}
    </ul>
  );
}

/** A pack whose nodes need packages that are not installed: which, and how to install them. */
export function PackMissing({ report }: { report: PackReport }) {
  const commands = [...new Set((report.missing ?? []).map((m) => m.install))];
  const modules = [...new Set((report.missing ?? []).map((m) => m.module))];
  const pools = [...new Set((report.missing ?? []).map((m) => m.pool))];
  return (
    <div className="psy-pack-missing" data-testid="pack-missing" data-pack={report.name}>
      <span>
        Its nodes need <strong>{modules.join(", ")}</strong>, not installed where they run (the environment of pool{" "}
        {pools.join(", ")}). Install it there and restart Psynapse:
      </span>
      {commands.map((command) => (
        <code key={command} className="psy-pack-missing__command" data-testid="pack-install-command">
          {command}
        </code>
      ))}
    </div>
  );
}

/** The pools of a pack's nodes that no runner takes: their jobs would wait for one. */
export function PackUnserved({ report }: { report: PackReport }) {
  return (
    <div className="psy-pack-missing" data-testid="pack-no-runner" data-pack={report.name}>
      {report.missing_pools.map((gap) => (
        <span key={gap.pool}>
          No runner takes pool <strong>{gap.pool}</strong> ({gap.nodes.join(", ")}); its runs wait until one starts:
          <code className="psy-pack-missing__command">psynapse runner --pool {gap.pool}</code>
        </span>
      ))}
    </div>
  );
}
