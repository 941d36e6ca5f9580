// Every edit action as a mock, for menus and toolbars that call them.
import { vi } from "vitest";
import type { EditActions } from "../panels/editCommands";

export const mockEditActions = (): EditActions => ({
  undo: vi.fn(),
  redo: vi.fn(),
  copy: vi.fn(),
  paste: vi.fn(),
  duplicate: vi.fn(),
  selectAll: vi.fn(),
  remove: vi.fn(),
  group: vi.fn(),
  openSubgraph: vi.fn(),
});
