// Whether a lesson's task is done: pure functions over a plain state object.
//
// A task has `done_when`, a list of conditions {field, op, value}; it is done when all hold.
// A field is a dotted path into the state ("metrics.train_accuracy", "config.dataset"), and a
// final [i] indexes a list, negative from its end ("diagnostics.grad_norms[-1]" is the output
// layer's). A missing or non-finite number never satisfies a comparison.

const INDEXED = /^(.*)\[(-?\d+)\]$/;

/** The value of `field` in `state`, or undefined. */
export function readField(state, field) {
  let path = field;
  let index = null;
  const m = INDEXED.exec(field);
  if (m) {
    path = m[1];
    index = Number(m[2]);
  }
  let v = state;
  for (const key of path.split(".")) {
    if (v == null || typeof v !== "object") return undefined;
    v = v[key];
  }
  if (index !== null) {
    if (!Array.isArray(v) && !ArrayBuffer.isView(v)) return undefined;
    v = v[index < 0 ? v.length + index : index];
  }
  return v;
}

/** Whether one condition holds. */
export function conditionHolds(cond, state) {
  const v = readField(state, cond.field);
  const want = cond.value;
  if (v === undefined || v === null) return false;
  if (cond.op === "==") return v === want;
  if (cond.op === "!=") return v !== want;
  if (typeof v !== "number" || !Number.isFinite(v) || typeof want !== "number") return false;
  switch (cond.op) {
    case "<": return v < want;
    case "<=": return v <= want;
    case ">": return v > want;
    case ">=": return v >= want;
    default: return false;
  }
}

/** Whether every condition of the task holds. */
export function taskDone(task, state) {
  return task.done_when.length > 0 && task.done_when.every((c) => conditionHolds(c, state));
}

/** The playground's live state in the fields tasks name (server/lessons.py TASK_FIELDS). */
export function playgroundState({ header, config }) {
  const hidden = config?.hidden ?? [];
  return {
    metrics: header?.metrics ?? {},
    diagnostics: header?.diagnostics ?? {},
    config: config ?? {},
    network: { neurons: hidden.reduce((a, b) => a + b, 0), hidden_layers: hidden.length },
  };
}
