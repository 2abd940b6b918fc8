// Room for a lesson's column, made before anything else on a view runs: a view opened with
// `#lesson=<slug>` lays out once with the column's room (body.with-lesson, lessons.css), not
// again when the lesson panel comes after its fetch and KaTeX. A view that shows itself before
// its lesson panel can come (/neuron, /graph) loads it as its first module script;
// lesson_panel.js makes the room too (the playground shows after its first frame, later) and
// takes it back if the lesson cannot be shown.

export function lessonSlugFromHash(hash) {
  const m = /(?:^#|&)lesson=([a-z0-9-]{1,60})(?:&|$)/.exec(hash);
  return m ? m[1] : null;
}

if (typeof document !== "undefined" && lessonSlugFromHash(window.location.hash)) {
  document.body.classList.add("with-lesson");
}
