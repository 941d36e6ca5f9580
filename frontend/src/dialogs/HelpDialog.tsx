import { Dialog } from "./Dialog";

const SHORTCUTS: Array<[string, string]> = [
  ["Ctrl/⌘ + Enter", "Execute the graph"],
  ["Shift + Enter", "Run to here: the node under the pointer and what it needs (also on a node's right-click menu)"],
  ["Ctrl/⌘ + Shift + Enter", "Run selected: the selected nodes and what they need"],
  ["Ctrl/⌘ + Z", "Undo"],
  ["Ctrl/⌘ + Shift + Z, Ctrl/⌘ + Y", "Redo"],
  ["Ctrl/⌘ + C / V", "Copy / paste the selection"],
  ["Ctrl/⌘ + D", "Duplicate the selection"],
  ["Delete / Backspace", "Delete the selection"],
  ["Ctrl/⌘ + A", "Select everything"],
  ["/  or double-click the canvas", "Quick-add a node, at the pointer"],
  ["Drop a wire on the canvas", "Quick-add a node that takes it, wired"],
  ["Drop a wire on a node", "Connect it to the first input that fits"],
  ["Shift + 1 / Shift + 0", "Fit the graph in view / zoom to 100%"],
  ["Alt + N", "New workflow"],
  ["Ctrl/⌘ + S", "Save the workflow (asks for a name the first time)"],
  ["Shift + drag", "Box-select nodes"],
  ["Ctrl/⌘ + click", "Add a node to the selection"],
  ["Right-click", "On a node: Run to here, Run selected, then the Edit commands there (group the selection into a subgraph, …)"],
  ["Double-click a subgraph's title", "Open its workflow (the breadcrumb leads back)"],
  ["?", "This help"],
  ["Esc", "Close a dialog or the quick-add box"],
];

export function HelpDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose} testId="help-dialog">
      <table className="psy-shortcuts">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <td>
                <kbd>{keys}</kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="psy-small psy-muted">
        Drag nodes from the library onto the canvas and wire outputs (right) to inputs (left). Wires whose types do not fit
        are refused, with the reason shown. The canvas is kept in this browser as you work; Save stores it on the server as a new version.
      </p>
    </Dialog>
  );
}
