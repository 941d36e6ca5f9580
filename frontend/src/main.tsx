import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "@xyflow/react/dist/style.css";
import "./styles/theme.css";
import "./styles/layout.css";
import "./styles/toolbar.css";
import "./styles/nodes.css";
import "./styles/node-fields.css";
import "./styles/library.css";
import "./styles/overlays.css";
import "./styles/status.css";
import "./styles/history.css";
import "./styles/run-info.css";
import "./styles/canvas.css";
import "./styles/control-flow.css";
import { PsynapseEditor } from "./editor/PsynapseEditor";
import { applyTheme } from "./hooks/useTheme";

// Before the first paint, so a dark theme never flashes light.
applyTheme();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <PsynapseEditor />
  </StrictMode>,
);
