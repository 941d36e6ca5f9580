// A DataFrame's preview: its shape, then a table of its first rows with each column's dtype.
import { memo } from "react";
import { cellText, tableSummary, type TablePreview } from "../lib/values";

function TableViewImpl({ table, testId }: { table: TablePreview; testId?: string }) {
  return (
    <div className="psy-table nowheel nodrag" data-testid={testId} data-table="true">
      <div className="psy-table__summary" data-testid="table-summary">
        {tableSummary(table)}
      </div>
      <div className="psy-table__scroll">
        <table>
          <thead>
            <tr>
              <th className="psy-table__index">{table.index_name ?? ""}</th>
              {table.columns.map((column, index) => (
                <th key={index} scope="col">
                  {column}
                  <span className="psy-table__dtype">{table.dtypes[index] ?? ""}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row, r) => (
              <tr key={r}>
                <th scope="row" className="psy-table__index">
                  {table.index[r] ?? ""}
                </th>
                {row.map((cell, c) => (
                  <td key={c} className={cell === null ? "psy-table__null" : undefined}>
                    {cellText(cell)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export const TableView = memo(TableViewImpl);
