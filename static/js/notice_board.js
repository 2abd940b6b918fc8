// The page's one notice line (#notice): passing notices, each shown for a few seconds, and one
// standing notice that stays exactly as long as the state it describes (the connection's:
// static/js/connection.js onStatus). A passing notice goes over the standing one for its few
// seconds, then the standing one shows again if its state still holds; clearing the standing
// notice takes it off at once (a reconnect must not leave "Connection lost" up).

export const NOTICE_MS = 7000;

/** el: the notice element (textContent and className are written). Returns show(text, level)
 * with show.standing(text | null, level) and show.current() -> {text, level, standing}. */
export function createNoticeBoard(el, { ms = NOTICE_MS, timers = globalThis } = {}) {
  let timer = null;
  let standing = null;   // {text, level} while its state lasts
  let shown = null;      // {text, level, standing: bool} or null

  function paint(entry) {
    shown = entry;
    el.textContent = entry ? entry.text : "";
    if (entry) el.className = `notice ${entry.level}`;
  }

  function show(text, level = "info") {
    timers.clearTimeout(timer);
    paint({ text, level, standing: false });
    timer = timers.setTimeout(() => {
      timer = null;
      paint(standing ? { ...standing, standing: true } : null);
    }, ms);
  }

  show.standing = (text, level = "warn") => {
    if ((standing?.text ?? null) === (text || null) && (!text || standing.level === level)) return;
    standing = text ? { text, level } : null;
    if (standing) {
      // the state is news: it replaces a passing notice (which would otherwise hide it)
      timers.clearTimeout(timer);
      timer = null;
      paint({ ...standing, standing: true });
    } else if (shown?.standing) {
      paint(null);
    }
  };

  show.current = () => (shown ? { ...shown } : null);
  return show;
}
