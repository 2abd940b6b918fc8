// The client state: the run's configuration (as the server's schema describes it), the page's
// view options, and the latest run status. Controls write here and nowhere else; the connection
// and the views read from here. The whole setting is mirrored into the URL's query string, so a
// link restores it and a reload keeps it.
//
// Data flows one way:  controls -> state -> (connection -> server) and (views, URL).

/** View options that are not part of the run's configuration, with their defaults. */
export const UI_DEFAULTS = Object.freeze({
  edgeValues: "weights",        // "weights" | "gradients": what the network's edges show
  showTest: true,               // draw the test points on the output
  discretize: false,            // output heatmap as hard classes instead of probabilities
  logLoss: false,               // loss chart on a log scale
  surfaceMode: "auto",          // "auto" | "random" | "pca" | "params" | "exact"
  surfaceResolution: 21,        // landscape grid points per axis
  surface3d: false,             // 3-D surface instead of the contour
  surfaceParams: [],            // ["W1[0,1]", "b2[0]"]: the two parameters of the "params" slice
  neuron: [1, 0],               // [layer (1 = first hidden), index]: the activation view's neuron
  speed: 10,                    // training steps per frame; null = as fast as the server can train
  pickAxes: false,              // taps on edges pick loss-surface axes (mouse clicks always do); not in the URL
  hiddenDetail: "pictures",     // "pictures" | "colours": what the network view's hidden squares can show
                                // (set by that view from its layout; frames carry only that); not in the URL
});

/** URL query keys of the view options (short, stable). */
const UI_KEYS = {
  edgeValues: "edges", showTest: "test", discretize: "discrete", logLoss: "log",
  surfaceMode: "surface", surfaceResolution: "res", surface3d: "3d", surfaceParams: "axes",
  neuron: "neuron", speed: "speed",
};

/** The server's speed bound until its hello message says otherwise (limits.max_speed). */
export const DEFAULT_MAX_SPEED = 10000;

function clamp(x, lo, hi) {
  return Math.min(hi, Math.max(lo, x));
}

/**
 * The parts of a parameter's name: "W<l>[i,j]" (layer l's weight from input j to neuron i) or
 * "b<l>[i]" (neuron i's bias), l >= 1. Null if the name is not of that form.
 */
export function parseParamName(name) {
  const m = /^(?:W(\d+)\[(\d+),(\d+)\]|b(\d+)\[(\d+)\])$/.exec(name);
  if (!m) return null;
  const p = m[1] !== undefined
    ? { kind: "W", layer: Number(m[1]), i: Number(m[2]), j: Number(m[3]) }
    : { kind: "b", layer: Number(m[4]), i: Number(m[5]), j: null };
  return p.layer >= 1 ? p : null;
}

/** Whether a parameter name exists in a network of these layer sizes ([inputs, ..., outputs]). */
export function paramExists(name, layerSizes) {
  const p = parseParamName(name);
  if (!p || p.layer > layerSizes.length - 1 || p.i >= layerSizes[p.layer]) return false;
  return p.kind === "b" || p.j < layerSizes[p.layer - 1];
}

/**
 * The loss to use with a dataset: `loss` itself when it fits (the schema's `datasets[name].losses`,
 * from the engine), else the dataset's usual one. Unknown dataset: unchanged.
 */
export function compatibleLoss(info, loss) {
  if (!info?.losses) return loss;
  return info.losses.includes(loss) ? loss : info.usual_loss;
}

/** Whether a field has an effect under this configuration (its schema's `applies_when`). */
export function fieldApplies(field, config) {
  const when = field?.applies_when;
  if (!when) return true;
  return Object.entries(when).every(([name, values]) => values.includes(config[name]));
}

/**
 * Clear the references (schema `reference`: an id such as custom_dataset) that no longer apply
 * under `config`, except those named in `keep`; the engine does the same on a change
 * (TrainConfig.changed) and refuses a reference beside a setting it does not apply to.
 * Returns the names cleared.
 */
export function clearStaleReferences(config, fields, keep = {}) {
  const cleared = [];
  for (const [name, field] of fields) {
    if (!field.reference || name in keep || config[name] == null || fieldApplies(field, config)) continue;
    config[name] = null;
    cleared.push(name);
  }
  return cleared;
}

/** A speed the server accepts: null (as fast as it can) or an integer 1..maxSpeed. */
function validSpeed(v, maxSpeed) {
  return v == null ? null : clamp(Math.round(v), 1, maxSpeed);
}

/** Parse one config value from its URL text according to its schema field; undefined if bad. */
export function parseFieldValue(field, text) {
  switch (field.type) {
    case "choice":
      return field.choices.includes(text) ? text : undefined;
    case "multichoice": {
      const items = text === "" ? [] : text.split(",");
      if (!items.every((v) => field.choices.includes(v))) return undefined;
      if (items.length < (field.min_length ?? 0)) return undefined;
      return [...new Set(items)];
    }
    case "int_list": {
      if (text === "" || text === "-") return [];
      const items = text.split(",").map(Number);
      if (!items.every((v) => Number.isInteger(v) && v >= field.item_minimum && v <= field.item_maximum)) {
        return undefined;
      }
      return field.max_length != null && items.length > field.max_length ? undefined : items;
    }
    case "int":
    case "float": {
      const v = Number(text);
      if (text === "" || !Number.isFinite(v)) return undefined;
      if (field.type === "int" && !Number.isInteger(v)) return undefined;
      return fieldAccepts(field, v) ? v : undefined;
    }
    case "bool":
      return text === "1" || text === "true" ? true : text === "0" || text === "false" ? false : undefined;
    case "text":
      return field.pattern && !new RegExp(field.pattern).test(text) ? undefined : text;
    default:
      return undefined;
  }
}

/** Whether a number lies within a numeric field's bounds. */
export function fieldAccepts(field, v) {
  if (field.minimum != null && v < field.minimum) return false;
  if (field.exclusiveMinimum != null && v <= field.exclusiveMinimum) return false;
  if (field.maximum != null && v > field.maximum) return false;
  return true;
}

/** The URL text of one config value. */
export function formatFieldValue(field, value) {
  if (Array.isArray(value)) return value.length ? value.join(",") : "-";
  if (typeof value === "boolean") return value ? "1" : "0";
  return String(value);
}

function sameValue(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function parseUiValue(key, text) {
  const d = UI_DEFAULTS[key];
  switch (key) {
    case "edgeValues": return ["weights", "gradients"].includes(text) ? text : undefined;
    case "surfaceMode": return ["auto", "random", "pca", "params", "exact"].includes(text) ? text : undefined;
    case "surfaceResolution": {
      const v = Number(text);
      return Number.isInteger(v) ? clamp(v, 5, 61) : undefined;
    }
    case "surfaceParams": {
      // names that are not W<l>[i,j] / b<l>[i] are dropped (whether they exist in the network is
      // checked against the first frame's layer sizes, before the landscape is asked for)
      const items = text.split(";").filter((s) => parseParamName(s) !== null);
      return items.length === 2 && items[0] !== items[1] ? items : undefined;
    }
    case "neuron": {
      const v = text.split(",").map(Number);
      return v.length === 2 && v.every((n) => Number.isInteger(n) && n >= 0) && v[0] >= 1 ? v : undefined;
    }
    case "speed": {
      if (text === "max") return null;
      const v = Number(text);
      return text.trim() !== "" && Number.isFinite(v) ? validSpeed(v, DEFAULT_MAX_SPEED) : undefined;
    }
    default:
      if (typeof d === "boolean") return text === "1" ? true : text === "0" ? false : undefined;
      return undefined;
  }
}

function formatUiValue(key, value) {
  if (key === "surfaceParams") return value.join(";");
  if (key === "neuron") return value.join(",");
  if (key === "speed") return value == null ? "max" : String(value);
  if (typeof value === "boolean") return value ? "1" : "0";
  return String(value);
}

/**
 * Create the client state from the server's config schema (engine.config_schema()).
 *
 * state.config      the full configuration the page wants the run to have
 * state.ui          view options (UI_DEFAULTS)
 * state.run         {status, reason, step, nTrain, ...}: the server's latest word on the run (from
 *                   each frame's header; read-only for controls)
 * state.subscribe(fn)  fn(change) for every change; change.kind is one of
 *     "config"  {changes, reset}  settings changed (reset: they need a rebuilt run)
 *     "ui"      {changes}
 *     "command" {name, n}         play | pause | toggle | step | reset
 *     "run"     {run}             the server's status changed
 * state.notes       what restoring from the URL had to change (for the page to tell the user)
 * state.limits      {maxSpeed}: the server's bounds (setLimits() takes its hello message's)
 *
 * `datasets` (the schema's {name: {kind, input_dim, losses, usual_loss, ...}}) lets the state keep
 * a linked loss compatible with the linked dataset; without it the loss is taken as given.
 */
export function createState(schema, { url = window.location, datasets = {} } = {}) {
  const fields = new Map(schema.map((f) => [f.name, f]));
  const defaults = Object.fromEntries(schema.map((f) => [f.name, f.default]));
  const listeners = new Set();

  const config = structuredClone(defaults);
  const ui = structuredClone(UI_DEFAULTS);
  const run = { status: "paused", reason: "", step: 0, nTrain: null };
  const limits = { maxSpeed: DEFAULT_MAX_SPEED };
  const notes = [];

  // ---- restore from the URL
  const query = new URLSearchParams(url.search);
  for (const [name, field] of fields) {
    if (!query.has(name)) continue;
    const v = parseFieldValue(field, query.get(name));
    if (v !== undefined) config[name] = v;
  }
  for (const [key, q] of Object.entries(UI_KEYS)) {
    if (!query.has(q)) continue;
    const v = parseUiValue(key, query.get(q));
    if (v !== undefined) ui[key] = v;
  }
  // an old link's custom_dataset beside a built-in dataset: the id was never read; drop it
  clearStaleReferences(config, fields);
  // a loss that does not fit the dataset (a link's, or the default one) would make the server
  // refuse the whole setting: change only the loss
  const info = datasets[config.dataset];
  const loss = compatibleLoss(info, config.loss);
  if (fields.has("loss") && loss !== config.loss) {
    if (query.has("loss")) {
      notes.push(`The loss ${config.loss} does not fit the ${info.kind} dataset ${config.dataset}: using ${loss}.`);
    }
    config.loss = loss;
  }
  // the "two parameters" slice without two (valid) parameters: the automatic one
  if (ui.surfaceMode === "params" && ui.surfaceParams.length !== 2) ui.surfaceMode = "auto";

  function emit(change) {
    for (const fn of listeners) fn(change);
  }

  function urlQuery() {
    const q = new URLSearchParams();
    for (const [name, field] of fields) {
      if (!sameValue(config[name], defaults[name])) q.set(name, formatFieldValue(field, config[name]));
    }
    for (const [key, k] of Object.entries(UI_KEYS)) {
      if (!sameValue(ui[key], UI_DEFAULTS[key])) q.set(k, formatUiValue(key, ui[key]));
    }
    return q.toString();
  }

  function syncUrl() {
    if (typeof history === "undefined") return;
    // a page attached to an existing run (?run=ID) keeps saying so: a reload comes back to it
    const run = new URLSearchParams(window.location.search).get("run");
    const settings = urlQuery();
    const q = run ? `run=${encodeURIComponent(run)}${settings ? `&${settings}` : ""}` : settings;
    const target = `${window.location.pathname}${q ? `?${q}` : ""}${window.location.hash}`;
    if (target !== `${window.location.pathname}${window.location.search}${window.location.hash}`) {
      history.replaceState(null, "", target);
    }
  }

  const state = {
    schema,
    fields,
    defaults,
    config,
    ui,
    run,
    limits,
    notes,

    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },

    /** Whether changing these settings needs a reset (any of them is not live). */
    needsReset(changes) {
      return Object.keys(changes).some((k) => fields.get(k) && !fields.get(k).live);
    },

    /** Change settings; non-live ones rebuild the run (the controls mark them so). */
    setConfig(changes, { reset } = {}) {
      const changed = {};
      for (const [k, v] of Object.entries(changes)) {
        if (!fields.has(k) || sameValue(config[k], v)) continue;
        config[k] = structuredClone(v);
        changed[k] = config[k];
      }
      for (const name of clearStaleReferences(config, fields, changes)) changed[name] = null;
      const needsReset = reset ?? this.needsReset(changed);
      if (!Object.keys(changed).length && !reset) return;
      syncUrl();
      emit({ kind: "config", changes: changed, reset: needsReset });
    },

    /** Take settings the server reports (e.g. after a rejected change) without sending them back. */
    adoptConfig(serverConfig) {
      const changed = {};
      for (const [k, v] of Object.entries(serverConfig)) {
        if (fields.has(k) && !sameValue(config[k], v)) {
          config[k] = structuredClone(v);
          changed[k] = v;
        }
      }
      if (!Object.keys(changed).length) return;
      syncUrl();
      emit({ kind: "config", changes: changed, reset: false, fromServer: true });
    },

    setUi(changes) {
      const changed = {};
      for (let [k, v] of Object.entries(changes)) {
        if (k === "speed") v = validSpeed(v, limits.maxSpeed);
        if (!(k in UI_DEFAULTS) || sameValue(ui[k], v)) continue;
        ui[k] = structuredClone(v);
        changed[k] = ui[k];
      }
      if (!Object.keys(changed).length) return;
      syncUrl();
      emit({ kind: "ui", changes: changed });
    },

    /** Ask for a run action: "play", "pause", "toggle", "step" (n steps), "reset". */
    command(name, n = 1) {
      emit({ kind: "command", name, n });
    },

    /** Take the server's bounds (its hello message's `limits`) and keep the view options within them. */
    setLimits(serverLimits) {
      const maxSpeed = serverLimits?.max_speed;
      if (!Number.isInteger(maxSpeed) || maxSpeed < 1) return;
      limits.maxSpeed = maxSpeed;
      this.setUi({ speed: ui.speed });
    },

    /** The server's latest status; set by the wiring from each frame's header. */
    setRun(update) {
      let changed = false;
      for (const [k, v] of Object.entries(update)) {
        if (run[k] !== v) {
          run[k] = v;
          changed = true;
        }
      }
      if (changed) emit({ kind: "run", run });
    },

    /** The query string of the current setting (what a shared link carries). */
    urlQuery,
  };
  syncUrl();
  return state;
}
