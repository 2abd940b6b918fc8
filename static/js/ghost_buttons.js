// The ghost's two buttons beside the loss chart: "keep as ghost" copies the run's curves (and
// path) now, "clear ghost" drops them. The ghost outlives resets and changes until cleared or
// replaced; it never creates a comparison group (that is /compare).

import { clearGhost, keepGhost } from "./ghost.js";

/** Adds the buttons to `tools`; `redraw()` asks for an animation frame after a change. */
export function attachGhostButtons(tools, ghost, snapshot, { redraw = () => {}, notice = () => {} } = {}) {
  const keep = document.createElement("button");
  keep.type = "button";
  keep.className = "ghost-keep";
  keep.dataset.testid = "ghost-keep";
  keep.textContent = "keep as ghost";
  keep.title = "keep these curves (and the path) faded on the charts, through resets and changes, to compare with what comes next";
  const clear = document.createElement("button");
  clear.type = "button";
  clear.className = "ghost-clear";
  clear.dataset.testid = "ghost-clear";
  clear.textContent = "clear ghost";
  clear.hidden = true;
  const sync = () => {
    clear.hidden = !ghost.current;
    clear.title = ghost.current ? `ghost: ${ghost.current.label}, to step ${ghost.current.lastStep}` : "";
  };
  keep.addEventListener("click", () => {
    if (!keepGhost(ghost, snapshot)) {
      notice("nothing to keep yet: train a few steps first", "warn");
      return;
    }
    notice(`ghost kept: ${ghost.current.label}, to step ${ghost.current.lastStep}; it stays through a reset`);
    sync();
    redraw();
  });
  clear.addEventListener("click", () => {
    clearGhost(ghost);
    sync();
    redraw();
  });
  tools.append(keep, clear);
  return { sync };
}
