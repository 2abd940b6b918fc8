// Who may steer the run the page shows, made visible: a watching page (a watch link) gets its
// controls disabled with a note saying why; every page offers "copy watch link" and, when it
// holds the run's token, "copy control link" (static/js/run_access.js builds the links).

const READ_ONLY_NOTE = "Watching: this run is read-only here, its controls are off. "
  + "Anyone with this link sees it live; to steer it, open its control link.";

const FORM_CONTROLS = "button, input, select, textarea";

/**
 * createAccessView({note, watchButton, controlButton, containers, connection, notice})
 * containers: the elements holding controls (disabled and inert while watching).
 * Returns {update({control})} for connection's onAccess.
 */
export function createAccessView({ note, watchButton, controlButton, containers, connection, notice }) {
  let readOnly = false;

  function disableWithin(root) {
    for (const c of root.querySelectorAll(FORM_CONTROLS)) {
      if (!c.disabled) {
        c.disabled = true;
        c.dataset.readOnly = "1";
      }
    }
  }

  // controls rebuilt while watching (a new layer's buttons...) are disabled as they appear
  const observer = new MutationObserver(() => {
    if (readOnly) containers.forEach(disableWithin);
  });
  containers.forEach((c) => observer.observe(c, { childList: true, subtree: true }));

  function setReadOnly(on) {
    readOnly = on;
    note.hidden = !on;
    note.textContent = on ? READ_ONLY_NOTE : "";
    document.body.classList.toggle("read-only", on);
    for (const c of containers) {
      c.inert = on;
      if (on) {
        disableWithin(c);
      } else {
        for (const el of c.querySelectorAll("[data-read-only]")) {
          el.disabled = false;
          delete el.dataset.readOnly;
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
