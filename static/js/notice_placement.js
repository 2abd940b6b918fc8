// Where the run's notices sit (the run notices list and the diverged box): beside their pictures
// on a wide screen, in the top bar's notice row on a narrow one (tablets), where they are seen
// without scrolling. The stylesheet decides which: the row's custom property --holds-notices is
// 1 where it should hold them (static/css/playground.css), so the breakpoint is written once.
// An element moved to the row goes back to its own place (a comment marks it) when it is wide
// again; it stays the same element, so its views and buttons keep working.

/** row: the top bar's notice row; items: the elements it takes (in this order). */
export function placeNotices(row, items, { win = window } = {}) {
  const homes = items.map((el) => {
    const mark = document.createComment(`home of #${el.id}`);
    el.before(mark);
    return { el, mark };
  });
  let inRow = false;
  function place() {
    const want = win.getComputedStyle(row).getPropertyValue("--holds-notices").trim() === "1";
    if (want === inRow) return;
    inRow = want;
    for (const { el, mark } of homes) {
      if (want) row.append(el);
      else mark.after(el);
    }
  }
  place();
  win.addEventListener("resize", place);
  return { place, get inRow() { return inRow; } };
}
