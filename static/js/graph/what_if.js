// What-if on a run's graph: weights and biases changed for the picture only. The server draws
// the graph on a copy of the run with these values (GET /api/runs/{id}/graph?what_if=...); the
// run itself changes only through an explicit "apply to run" (PATCH /api/runs/{id}/params).
// Pure: a small store of {name: value} beside the run's own values.

const PARAMETER = /^[Wb]\d+\[\d+(?:,\d+)?\]$/;

/** Whether a leaf is a parameter (W{l}[i,j], b{l}[i]): those can be changed; the example's
 *  inputs, its target and a neuron graph's incoming activations and upstream gradient cannot. */
export function isParameter(label) {
  return PARAMETER.test(label ?? "");
}

export function createWhatIf() {
  const changes = new Map();   // name -> what-if value
  const original = new Map();  // name -> the run's value when it was first changed
  return {
    /** Change `name` to `value`; `runValue` is the run's own value (kept from the first change).
     *  Setting it back to the run's value drops the change. */
    set(name, value, runValue) {
      if (!original.has(name)) original.set(name, runValue);
      if (value === original.get(name)) {
        changes.delete(name);
        original.delete(name);
      } else {
        changes.set(name, value);
      }
    },
    clear() {
      changes.clear();
      original.clear();
    },
    get size() { return changes.size; },
    has(name) { return changes.has(name); },
    /** {name: value} for the request, or null when nothing is changed. */
    weights() {
      return changes.size ? Object.fromEntries(changes) : null;
    },
    /** [{name, value, run}] in the order they were changed. */
    entries() {
      return [...changes].map(([name, value]) => ({ name, value, run: original.get(name) }));
    },
  };
}
