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
          <span className="psy-pack-errors__message">{error.message}</span>
        </li>
      ))}
      {report.errors.length === 0 ? <li>This pack failed to load.</li> : null}
    </ul>
  );
}
