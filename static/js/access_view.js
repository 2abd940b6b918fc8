// Who may steer the run the page shows, made visible: a watching page (a watch link) gets its
// controls disabled with a note saying why; every page offers "copy watch link" and, when it
// holds the run's token, "copy control link" (static/js/run_access.js builds the links).
// Only changes are switched off: reads stay usable while watching. An element marked
// `data-read` (the "?" help buttons and their notes, the exports and PNG buttons, the list of
// saved runs) and every <summary> (opening a section) keeps working inside a disabled container.

const READ_ONLY_NOTE = "Watching: this run is read-only here, its controls are off "
  + "(help, exports and pictures still work). "
  + "Anyone with this link sees it live; to steer it, open its control link.";

/** The note of a watching /compare or /race page (`what`: "comparison", "race"). */
export const readOnlyNote = (what) => `Watching: this ${what} is read-only here, its controls `
  + "are off. Anyone with this link sees it live; to steer it, open its control link.";

const FORM_CONTROLS = "button, input, select, textarea";
export const READS = "[data-read], summary";

/**
 * createAccessView({note, watchButton, controlButton, containers, connection, notice, noteText})
 * containers: the elements holding controls (disabled and inert while watching);
 * connection: {watchLink(), controlLink()} (null: nothing to copy); noteText: the note's words.
 * Returns {update({control})} for connection's onAccess.
 */
export function createAccessView({ note, watchButton, controlButton, containers, connection, notice,
                                   noteText = READ_ONLY_NOTE }) {
  let readOnly = false;

  const isRead = (node) => node.matches(READS) || node.closest("[data-read]") !== null;

  function disableWithin(root) {
    for (const c of root.querySelectorAll(FORM_CONTROLS)) {
      if (!c.disabled && !isRead(c)) {
        c.disabled = true;
        c.dataset.readOnly = "1";
      }
    }
    // a read added later inside a subtree made inert before (the help buttons come after a
    // fetch): that subtree is opened again and split anew
    for (const read of root.querySelectorAll(READS)) {
      const shut = read.parentElement?.closest("[data-read-only-inert]");
      if (shut && root.contains(shut)) {
        shut.inert = false;
        delete shut.dataset.readOnlyInert;
      }
    }
    inertExceptReads(root);
  }

  // `inert` on every subtree that holds no read; the path down to the reads stays live
  function inertExceptReads(root) {
    if (root.matches(READS)) return;
    if (!root.querySelector(READS)) {
      if (root.inert && !root.dataset.readOnlyInert) return;   // inert for its own reasons
      if (!root.inert) {
        root.inert = true;
        root.dataset.readOnlyInert = "1";
      }
      return;
    }
    for (const child of root.children) inertExceptReads(child);
  }

  // controls rebuilt while watching (a new layer's buttons...) are disabled as they appear
  const observer = new MutationObserver(() => {
    if (readOnly) containers.forEach(disableWithin);
  });
  containers.forEach((c) => observer.observe(c, { childList: true, subtree: true }));

  function setReadOnly(on) {
    readOnly = on;
    note.hidden = !on;
    note.textContent = on ? noteText : "";
    document.body.classList.toggle("read-only", on);
    for (const c of containers) {
      if (on) {
        disableWithin(c);
      } else {
        for (const el of c.querySelectorAll("[data-read-only]")) {
          el.disabled = false;
          delete el.dataset.readOnly;
        }
        for (const el of [c, ...c.querySelectorAll("[data-read-only-inert]")]) {
          if (el.dataset.readOnlyInert) {
            el.inert = false;
            delete el.dataset.readOnlyInert;
          }
        }
      }
    }
  }

  async function copy(link, what) {
    if (!link) return;
    window.__nnpCopied = link;   // what was copied, for the browser tests
    try {
      await navigator.clipboard.writeText(link);
      notice(`Copied the ${what}: ${link}`);
    } catch {
      notice(`Copy this ${what}: ${link}`, "warn");   // no clipboard access: show it instead
    }
  }

  watchButton.addEventListener("click", () => copy(connection.watchLink(), "watch link (read-only)"));
  controlButton.addEventListener("click", () => copy(connection.controlLink(),
    "control link (it lets its holder steer the run: share it with care)"));

  return {
    update({ control }) {
      setReadOnly(!control);
      watchButton.hidden = false;
      controlButton.hidden = !control;
    },
  };
}
