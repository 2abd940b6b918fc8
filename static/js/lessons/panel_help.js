// A "?" button on every panel that has an explanation (GET /api/panels, written once in
// lessons/panels.yaml and reused by the lessons): what the panel shows, its formula, and what to
// look for. The note opens beside the button and closes on a second press or Escape.
import { typeset } from "./math.js";

function attach(panel, note) {
  const head = panel.querySelector(".panel-head") ?? panel;
  const id = `help-${panel.dataset.testid}`;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "help-button";
  button.textContent = "?";
  button.setAttribute("aria-label", `What the ${note.title} panel shows`);
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", id);
  button.dataset.testid = `help-${panel.dataset.testid}`;
  button.dataset.read = "";   // a read: usable on a watching page (static/js/access_view.js)
  const box = document.createElement("div");
  box.className = "help-note";
  box.id = id;
  box.hidden = true;
  box.setAttribute("role", "note");
  box.dataset.read = "";
  box.innerHTML = `<h3></h3>${note.html}`;
  box.querySelector("h3").textContent = note.title;
  const toggle = (open) => {
    box.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) typeset(box);
  };
  button.addEventListener("click", (e) => {
    e.stopPropagation();
    toggle(box.hidden);
  });
  box.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      toggle(false);
      button.focus();
    }
  });
  head.append(button);
  panel.append(box);
}

async function main() {
  const res = await fetch("/api/panels");
  if (!res.ok) return;
  const notes = await res.json();
  for (const panel of document.querySelectorAll(".panel[data-testid]")) {
    const note = notes[panel.dataset.testid];
    if (note) attach(panel, note);
  }
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    for (const box of document.querySelectorAll(".help-note:not([hidden])")) {
      box.hidden = true;
      document.querySelector(`[aria-controls="${box.id}"]`)?.setAttribute("aria-expanded", "false");
    }
  });
}

/** Settles once the buttons are in place (or the notes could not be had): the playground shows
 * its panels only after it, so they do not move when the buttons arrive (static/js/main.js). */
export const helpReady = main().catch((err) => console.error("panel help:", err));
