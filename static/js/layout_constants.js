// The playground pictures' type sizes and margins, in CSS pixels: one place for the numbers
// every canvas view used to write inline.

export const FONT_FAMILY = "system-ui, sans-serif";

/** Canvas fonts: ticks and axis values, series/legend labels, notes inside a plot, small print. */
export const FONT = Object.freeze({
  tick: `10px ${FONT_FAMILY}`,
  label: `10.5px ${FONT_FAMILY}`,
  note: `11px ${FONT_FAMILY}`,
  small: `9.5px ${FONT_FAMILY}`,
});

/** Line height of FONT.label (legend rows of a chart). */
export const LABEL_LINE = 13;

/** Gap between a plot's frame and its tick labels. */
export const TICK_GAP = 3;

/** Line charts (loss, accuracy, diagnostics): the least room around the plotting area. */
export const CHART_MARGIN = Object.freeze({ left: 30, right: 8, top: 14, bottom: 18 });

/** Network diagram: room for the column titles (top) and the input features' names (left). */
export const NETWORK_MARGIN = Object.freeze({ left: 44, right: 16, top: 22, bottom: 8 });

/** Output picture (2-D): room for the tick labels left of and under the square. */
export const OUTPUT_MARGIN = Object.freeze({ left: 34, top: 4, bottom: 26 });

/** Output picture (1-D curve). */
export const CURVE_MARGIN = Object.freeze({ left: 40, right: 10, top: 8, bottom: 22 });

/** Loss surface: tick labels and axis names left/below, the colour bar and its labels right. */
export const SURFACE_MARGIN = Object.freeze({ left: 46, right: 62, top: 6, bottom: 30 });

/** Activation curve: the plot, then the histogram of z under it with its own caption row. */
export const ACTIVATION_MARGIN = Object.freeze({ left: 34, right: 10, top: 8, bottom: 60 });
export const HISTOGRAM = Object.freeze({ height: 26, gap: 16, caption: 12 });
