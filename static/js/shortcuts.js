// Keyboard shortcuts: Space play/pause, `s` one step, `r` reset (decision pure; tested in
// tests/js/shortcuts.test.mjs, and end to end).
//
// The rule: a key belongs to the control that has the focus when that control uses it and the
// user is operating it with the keyboard; otherwise it is a shortcut.
// - Text fields (text, number, textarea, contenteditable) keep every key: typing "s" types s.
// - A select, button, checkbox or summary keeps its keys (type-ahead, Space to open or press)
//   only when it was reached with the keyboard (Tab). One that was clicked or tapped gives them
//   back: after picking "relu" with the mouse, Space pauses and `s` steps; it never turns the
//   activation into "step" by type-ahead. (Selects also drop the focus after a pointer change.)
// - Sliders keep their arrow keys, never Space, `s` or `r`.

const TEXT_TYPES = new Set(["text", "number", "search", "email", "password", "url", "tel", ""]);
const KEYS = { " ": "toggle", s: "step", S: "step", r: "reset", R: "reset" };

/**
 * What a keydown should do: "toggle" | "step" | "reset" | null. `e`: {key, code, ctrlKey,
 * metaKey, altKey, target: {tagName, type, isContentEditable}}; `pointerFocused`: whether the
 * target got the focus from a pointer (mouse, touch, pen) rather than the keyboard.
 */
export function shortcutFor(e, pointerFocused = false) {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  const action = KEYS[e.key] ?? (e.code === "Space" ? "toggle" : null);
  if (!action) return null;
  const t = e.target ?? {};
  const tag = (t.tagName ?? "").toUpperCase();
  if (t.isContentEditable || tag === "TEXTAREA") return null;
  if (tag === "INPUT" && TEXT_TYPES.has((t.type ?? "").toLowerCase())) return null;
  const ownsKeys = tag === "SELECT" || tag === "BUTTON" || tag === "SUMMARY"
    || (tag === "INPUT" && ["checkbox", "radio", "button", "submit", "reset"].includes((t.type ?? "").toLowerCase()));
  if (ownsKeys && !pointerFocused) {
    // a keyboard user on a select types ahead and opens it with Space; on a button Space presses it
    if (tag === "SELECT") return null;
    if (action === "toggle") return null;
  }
  return action;
}

/**
 * Listen on `win` and send the actions to state.command(). Tracks how each element got the
 * focus; selects give up the focus after a change made with a pointer.
 */
export function installShortcuts(state, win = window) {
  let pointerTarget = null;   // the element the last pointer press landed on (or inside)
  const doc = win.document;
  doc.addEventListener("pointerdown", (e) => { pointerTarget = e.target; }, true);
  doc.addEventListener("keydown", (e) => {
    if (e.key === "Tab") pointerTarget = null;
  }, true);
  doc.addEventListener("change", (e) => {
    const t = e.target;
    if (t?.tagName === "SELECT" && pointerTarget && (t === pointerTarget || t.contains(pointerTarget))) t.blur();
  }, true);
  win.addEventListener("keydown", (e) => {
    const t = e.target;
    const pointerFocused = Boolean(pointerTarget && t && (t === pointerTarget || t.contains?.(pointerTarget)));
    const action = shortcutFor(e, pointerFocused);
    if (!action) return;
    e.preventDefault();
    if (action === "step") state.command("step", 1);
    else state.command(action);
  });
}
