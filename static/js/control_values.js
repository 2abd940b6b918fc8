// What the controls compute (pure; tests/js/control_values.test.mjs): the learning rate's log
// slider, the batch size's stops, and the check of a typed number against its schema field
// (with the message that says the allowed range).

import { formatNumber } from "./format.js";

/** log10 of the learning-rate slider's ends; the typed box takes any value the schema allows. */
export const LEARNING_RATE_LOG_RANGE = Object.freeze([-5, 1]);

/** Round to two significant figures (slider values read like numbers people choose). */
export function twoSignificant(x) {
  if (x === 0 || !Number.isFinite(x)) return x;
  const p = 10 ** (Math.floor(Math.log10(Math.abs(x))) - 1);
  return Number((Math.round(x / p) * p).toPrecision(2));
}

/** The learning rate at a position of the log slider (log10 of it), rounded to 2 figures. */
export function learningRateAt(position) {
  return twoSignificant(10 ** position);
}

/** The slider position of a learning rate (clamped to the slider's ends). */
export function learningRatePosition(lr) {
  const [lo, hi] = LEARNING_RATE_LOG_RANGE;
  return Math.min(hi, Math.max(lo, Math.log10(lr)));
}

const BATCH_STOPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000];

/**
 * The batch-size slider's stops for a training set of nTrain points: 1 (stochastic), round
 * sizes below nTrain, the current size if it is none of them, and nTrain itself (full batch).
 */
export function batchStops(nTrain, current) {
  const n = Math.max(1, nTrain);
  const stops = BATCH_STOPS.filter((v) => v < n);
  if (current != null && current < n && !stops.includes(current)) stops.push(current);
  return [...new Set([...stops.sort((a, b) => a - b), n])];
}

/** Name of a batch size: "1 (stochastic)", "250 (full batch)" (at or above nTrain), or the number. */
export function batchName(size, nTrain) {
  if (size >= nTrain) return `${nTrain} (full batch)`;
  if (size === 1) return "1 (stochastic)";
  return String(size);
}

/** The range a numeric schema field allows, in words: "more than 0 and at most 100". */
export function rangeText(field) {
  // bounds exactly as they are: whole numbers in full, others to six figures
  const show = (v) => (Number.isInteger(v) && Math.abs(v) < 1e15 ? String(v) : formatNumber(v, 6));
  const lo = field.minimum != null ? `at least ${show(field.minimum)}`
    : field.exclusiveMinimum != null ? `more than ${show(field.exclusiveMinimum)}` : null;
  const hi = field.maximum != null ? `at most ${show(field.maximum)}`
    : field.exclusiveMaximum != null ? `less than ${show(field.exclusiveMaximum)}` : null;
  const kind = field.type === "int" ? "a whole number" : "a number";
  return [kind, [lo, hi].filter(Boolean).join(" and ")].filter(Boolean).join(" ");
}

/**
 * Check typed text against a numeric field. {ok: true, value} or {ok: false, message}, the
 * message saying what is allowed (e.g. "Learning rate: a number more than 0 and at most 100").
 */
export function checkNumber(field, text, label = field.name) {
  const t = String(text).trim();
  const v = Number(t);
  const bad = () => ({ ok: false, message: `${label}: ${rangeText(field)}` });
  if (t === "" || !Number.isFinite(v)) return bad();
  if (field.type === "int" && !Number.isInteger(v)) return bad();
  if (field.minimum != null && v < field.minimum) return bad();
  if (field.exclusiveMinimum != null && v <= field.exclusiveMinimum) return bad();
  if (field.maximum != null && v > field.maximum) return bad();
  if (field.exclusiveMaximum != null && v >= field.exclusiveMaximum) return bad();
  return { ok: true, value: v };
}
