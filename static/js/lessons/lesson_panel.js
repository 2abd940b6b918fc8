// The lesson panel: beside any view opened with `#lesson=<slug>` in its address. It shows the
// lesson's text (formulas typeset), highlights the panels it talks about, and checks the tasks
// against the view's live state twice a second, marking each done (and showing its "why") when
// every condition holds. The page keeps its own layout: the panel takes a column at the right
// edge (body.with-lesson makes room for it), so it never covers the views.
//
// Live state: a view that is not the playground publishes window.__nnpLessonState() (a plain
// object in the fields server/lessons.py TASK_FIELDS names); the playground's comes from
// window.__nnp (its snapshot and client state).
import { probabilityFromLoss } from "./loss_curves.js";
import { drawLossFigure } from "./loss_figure.js";
import { lessonSlugFromHash } from "./lesson_room.js";
import { typeset } from "./math.js";
import { fontsLoaded } from "../page_boot.js";
import { createProgress } from "./progress.js";
import { playgroundState, taskDone } from "./task_check.js";

const CHECK_MS = 500;


function liveState() {
  if (typeof window.__nnpLessonState === "function") return window.__nnpLessonState();
  const nnp = window.__nnp;
  if (!nnp?.snapshot) return null;
  return playgroundState({ header: nnp.snapshot.header, config: nnp.state?.config });
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

function highlight(look, on) {
  for (const id of look) {
    for (const target of document.querySelectorAll(`[data-testid="${CSS.escape(id)}"]`)) {
      target.classList.toggle("lesson-look", on);
    }
  }
}

function renderTasks(list, lesson, progress) {
  const done = new Set(progress.of(lesson.slug).done);
  list.replaceChildren(...lesson.tasks.map((task) => {
    const isDone = done.has(task.id);
    const why = el("p", { class: "lesson-why", "data-testid": `why-${task.id}` });
    why.textContent = task.why;
    why.hidden = !isDone;
    return el("li", { class: `lesson-task${isDone ? " done" : ""}`, "data-task": task.id,
                      "data-testid": `task-${task.id}`, "aria-label": `${task.text}${isDone ? " (done)" : ""}` },
      el("span", { class: "lesson-check", "aria-hidden": "true", text: isDone ? "✓" : "○" }),
      el("span", { class: "lesson-task-text", text: task.text }), why);
  }));
}

/** The view gets the lesson's column back (no panel, or a closed one) and re-measures. */
function takeRoomBack() {
  document.getElementById("lesson-panel")?.remove();
  document.body.classList.remove("with-lesson");
  window.dispatchEvent(new Event("resize"));   // canvases and the graph fit their wider boxes
}

async function openPanel(slug) {
  const res = await fetch(`/api/lessons/${encodeURIComponent(slug)}`);
  if (!res.ok) {
    console.warn(`lesson ${slug}: ${res.status}`);
    takeRoomBack();
    return;
  }
  const lesson = await res.json();
  const progress = createProgress(window.localStorage);
  progress.visit(slug);

  const body = el("div", { class: "lesson-body" });
  body.innerHTML = lesson.html;     // rendered by the server from the lesson file (no raw HTML)
  const tasks = el("ol", { class: "lesson-tasks", "data-testid": "lesson-tasks" });
  const close = el("button", { type: "button", class: "lesson-close", "aria-label": "Close the lesson panel", text: "×" });
  const nav = el("nav", { class: "lesson-nav", "aria-label": "Lessons" },
    lesson.prev ? el("a", { href: `/lessons/${lesson.prev}`, text: "← previous" }) : el("span"),
    el("a", { href: `/lessons/${lesson.slug}`, text: "lesson page" }),
    el("a", { href: "/lessons", text: "course" }),
    lesson.next ? el("a", { href: `/lessons/${lesson.next}`, text: "next →" }) : el("span"));
  const panel = el("aside", { class: "lesson-panel", id: "lesson-panel", "data-testid": "lesson-panel",
                              "aria-label": `Lesson ${lesson.number}: ${lesson.title}` },
    el("div", { class: "lesson-head" },
      el("h2", { text: `${lesson.number}. ${lesson.title}` }), close),
    el("p", { class: "lesson-claim", "data-testid": "lesson-claim", text: lesson.claim }),
    body);
  let figure = null;
  if (lesson.figure === "loss-curves") {
    figure = el("canvas", { class: "lesson-figure-canvas", "data-testid": "loss-figure",
                            "aria-label": "Loss and its gradient against the predicted probability of the true class" });
    panel.append(figure, el("p", { class: "lesson-caption", text:
      "Loss (left) and dL/dz (right) against the probability p of the true class; the dashed line is this run's mean cross-entropy read as p = exp(-loss)." }));
  }
  panel.append(el("h3", { text: "Try it" }), tasks, nav);
  // unseen until its formulas' fonts are in: KaTeX's fonts arrive after the typesetting and
  // would move the panel's text under the reader's eyes
  panel.style.visibility = "hidden";
  document.body.append(panel);
  document.body.classList.add("with-lesson");
  window.dispatchEvent(new Event("resize"));   // canvases re-measure their narrower boxes
  typeset(panel);
  const show = () => { panel.style.visibility = ""; };
  fontsLoaded(panel).then(show, show);
  highlight(lesson.look, true);
  renderTasks(tasks, lesson, progress);
  let marker;
  const drawFigure = (state) => {
    if (!figure) return;
    const p = state ? probabilityFromLoss(state.metrics?.train_loss, state.config?.loss) : null;
    if (p === marker) return;
    marker = p;
    drawLossFigure(figure, p);
  };
  drawFigure(null);

  const timer = setInterval(() => {
    const state = liveState();
    if (!state) return;
    drawFigure(state);
    let changed = false;
    for (const task of lesson.tasks) {
      if (taskDone(task, state) && progress.complete(slug, task.id)) changed = true;
    }
    if (changed) renderTasks(tasks, lesson, progress);
  }, CHECK_MS);

  close.addEventListener("click", () => {
    clearInterval(timer);
    highlight(lesson.look, false);
    takeRoomBack();
    history.replaceState(null, "", `${location.pathname}${location.search}`);
  });
  window.__nnpLesson = { slug, lesson, progress };
}

const slug = lessonSlugFromHash(window.location.hash);
if (slug) {
  // the column's room is made at once (here, or earlier by lesson_room.js), before the text is
  // fetched: the view lays out once, not again under the reader's eyes when the panel comes
  document.body.classList.add("with-lesson");
  openPanel(slug).catch((err) => {
    takeRoomBack();
    console.error("lesson panel:", err);
  });
}
