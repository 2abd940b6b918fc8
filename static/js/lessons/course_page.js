// The course page: each lesson's progress from this browser (progress.js).
import { createProgress } from "./progress.js";

const progress = createProgress(window.localStorage);

function render() {
  let done = 0;
  let tasks = 0;
  for (const item of document.querySelectorAll(".course-item")) {
    const slug = item.dataset.slug;
    const total = Number(item.dataset.tasks);
    const p = progress.of(slug);
    const n = p.done.length;
    done += n;
    tasks += total;
    const status = item.querySelector(".course-status");
    status.textContent = n >= total ? "✓ done" : n > 0 ? `${n} of ${total} tasks` : p.visited ? "opened" : "";
    item.classList.toggle("done", n >= total);
  }
  document.getElementById("course-progress").textContent = `${done} of ${tasks} tasks done.`;
}

document.getElementById("reset-progress").addEventListener("click", () => {
  progress.reset();
  render();
});
render();
