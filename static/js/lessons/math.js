// Typesets the TeX of rendered lesson text: every `.math` element (server/lessons.py writes
// them) through KaTeX, vendored in /static/vendor/katex/.
import katex from "/static/vendor/katex/katex.mjs";

/** Replace each `.math` element's TeX under `root` by its typeset form. */
export function typeset(root) {
  for (const el of root.querySelectorAll(".math:not(.typeset)")) {
    const tex = el.textContent;
    katex.render(tex, el, { displayMode: el.classList.contains("display"), throwOnError: false });
    el.classList.add("typeset");
    el.setAttribute("data-tex", tex);
  }
}
