// A numpy array (nested lists of numbers, two or more dimensions) as a grid: its shape, its
// kind and range, and its first rows and columns (of its last two dimensions, at index 0 of the others).
import { arrayNumbers } from "../lib/values";

const ROWS = 8;
const COLUMNS = 8;

function cell(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toPrecision(4).replace(/\.?0+$/, "");
}

export function ArrayPreview({ value, shape, testId }: { value: unknown[]; shape: number[]; testId?: string }) {
  let slice: unknown = value;
  for (let depth = 2; depth < shape.length; depth++) slice = (slice as unknown[])[0];
  const rows = slice as number[][];
  const numbers = arrayNumbers(value);
  const whole = numbers.every(Number.isInteger);
  let low = Infinity;
  let high = -Infinity;
  for (const n of numbers) {
    if (n < low) low = n;
    if (n > high) high = n;
  }
  const sliced = shape.length > 2 ? ` · showing [${[...shape.slice(2).map(() => "0"), ":", ":"].join(", ")}]` : "";
  return (
    <div className="psy-array nowheel nodrag" data-testid={testId}>
      <div className="psy-array__head" data-testid="array-shape">
        array {shape.join("×")} · {whole ? "int" : "float"} · {cell(low)} … {cell(high)}
        {sliced}
      </div>
      <table className="psy-array__grid">
        <tbody>
          {rows.slice(0, ROWS).map((row, r) => (
            <tr key={r}>
              {row.slice(0, COLUMNS).map((n, c) => (
                <td key={c}>{cell(n)}</td>
              ))}
              {row.length > COLUMNS ? <td className="psy-array__more">…</td> : null}
            </tr>
          ))}
          {rows.length > ROWS ? (
            <tr>
              <td className="psy-array__more" colSpan={Math.min(rows[0].length, COLUMNS)}>
                … {rows.length - ROWS} more rows
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
