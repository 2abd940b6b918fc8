// A lesson's own page: typeset its formulas, mark the tasks already done (progress.js), and
// draw its figure.
import { fontsLoaded, revealWhen } from "../page_boot.js";
import { drawLossFigure } from "./loss_figure.js";
import { typeset } from "./math.js";
import { createProgress } from "./progress.js";

// shown once, typeset in its fonts (body.booting); first, so that whatever fails below, the
// page still shows at once (or within 5 s)
const article = document.querySelector("[data-testid=lesson]");
try {
  typeset(article);
} finally {
  revealWhen(fontsLoaded(article));
}

const detail = JSON.parse(document.getElementById("lesson-data").textContent);
const progress = createProgress(window.localStorage);
progress.visit(detail.slug);

const done = new Set(progress.of(detail.slug).done);
for (const li of document.querySelectorAll(".lesson-task")) {
  if (!done.has(li.dataset.task)) continue;
  li.classList.add("done");
  li.querySelector(".lesson-check").textContent = "✓";
  li.querySelector(".lesson-why").hidden = false;
}

const canvas = document.getElementById("loss-figure-canvas");
if (canvas) {
  const draw = () => drawLossFigure(canvas);
  draw();
  window.addEventListener("resize", draw);
  document.getElementById("loss-figure-caption").textContent =
    "Left: each loss for one example whose true class gets probability p. Right: its gradient with " +
    "respect to the output's logit z. Near p = 0, a confident mistake, cross-entropy's gradient is " +
    "about -1 while the squared error's, scaled by the sigmoid's slope, falls to 0.";
}
window.__nnpLessonPage = { ready: true, slug: detail.slug };
