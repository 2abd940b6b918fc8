// Pictures as PNG, pure: where each canvas of a panel goes in the one image that is saved.

/**
 * Stack pictures ({width, height} in device pixels) top to bottom, left-aligned, with `gap`
 * pixels between them and `pad` around. Returns {width, height, places: [{x, y}]}; pictures
 * without area are skipped (their place is null).
 */
export function stackPictures(sizes, { gap = 8, pad = 8 } = {}) {
  let y = pad;
  let width = 0;
  const places = sizes.map(({ width: w, height: h }) => {
    if (!(w > 0 && h > 0)) return null;
    if (y > pad) y += gap;
    const place = { x: pad, y };
    y += h;
    width = Math.max(width, w);
    return place;
  });
  const any = places.some((p) => p);
  return { width: any ? width + 2 * pad : 0, height: any ? y + pad : 0, places };
}

/** A file name for a panel's picture: nn-playground-<panel>-step<step>.png. */
export function pictureName(panel, step) {
  const safe = String(panel).replace(/[^a-z0-9_-]+/gi, "-").replace(/^-+|-+$/g, "") || "picture";
  return `nn-playground-${safe}${Number.isInteger(step) ? `-step${step}` : ""}.png`;
}
