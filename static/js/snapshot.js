// The latest picture of the run, merged from decoded frames (docs/protocol.md).
//
// Frames carry the per-frame parts (metrics, weights, grids) every time, and the slow parts
// (dataset, history, landscape) only when they change; the snapshot keeps the slow parts until a
// newer one arrives and accumulates the per-step metrics into its own history. Views read it on
// animation frames and use the `stamps` to skip work when their part has not changed.

const HISTORY_CAP = 8000;   // points kept per series; beyond it every other point is dropped

function emptyHistory() {
  return { step: [], trainLoss: [], testLoss: [], trainAccuracy: [], testAccuracy: [] };
}

function emptyDiagnostics() {
  return { step: [], gradNorms: [], saturation: [], updateRatios: [] };
}

function finite(x) {
  return x == null ? NaN : x;
}

function thinHistory(series) {
  for (const key of Object.keys(series)) {
    const s = series[key];
    series[key] = s.filter((_, i) => i % 2 === 0 || i === s.length - 1);
  }
}

export function createSnapshot() {
  const snap = {
    frames: 0,               // frames ingested
    header: null,
    generation: null,
    weights: null,           // Float32Array (P,)
    gradients: null,
    outputGrid: null,        // {values: Float32Array, bytes?: Uint8Array, lo, hi, shape}
    hiddenGrids: null,
    hiddenMeans: null,
    preactivations: null,
    activations: null,
    neuron: null,
    neuronFunction: null,
    dataset: null,           // {xTrain, yTrain, xTest, yTest, d}
    history: emptyHistory(),
    diagnostics: emptyDiagnostics(),
    landscape: null,         // {id, meta, loss, alpha, beta, shape, path, field}
    stamps: { frame: 0, weights: 0, output: 0, hidden: 0, activation: 0, history: 0, dataset: 0, landscape: 0, path: 0 },
  };

  /** A grid section: {values, bytes, lo, hi, shape}; `values` (the dequantized floats) is read
   *  from the frame only when a view asks for it (protocol.js: most draw the bytes). */
  function gridOf(frame, name) {
    if (!(name in frame.sections)) return null;
    const q = frame.quantized[name];
    return {
      get values() { return frame.sections[name]; },
      bytes: q?.bytes ?? null, lo: q?.lo ?? null, hi: q?.hi ?? null, shape: frame.shapes[name],
    };
  }

  function appendMetrics(m) {
    const h = snap.history;
    const last = h.step.length ? h.step[h.step.length - 1] : -1;
    if (m.step === last) {
      // same step (e.g. paused): refresh the last point (a reset of the run changes generation)
      const i = h.step.length - 1;
      h.trainLoss[i] = finite(m.train_loss);
      h.testLoss[i] = finite(m.test_loss);
      return false;
    }
    if (m.step < last) return false;
    h.step.push(m.step);
    h.trainLoss.push(finite(m.train_loss));
    h.testLoss.push(finite(m.test_loss));
    h.trainAccuracy.push(finite(m.train_accuracy));
    h.testAccuracy.push(finite(m.test_accuracy));
    if (h.step.length > HISTORY_CAP) thinHistory(h);
    return true;
  }

  function appendDiagnostics(step, d) {
    const g = snap.diagnostics;
    const last = g.step.length ? g.step[g.step.length - 1] : -1;
    if (step <= last && g.step.length) return;
    g.step.push(step);
    g.gradNorms.push(d.grad_norms.map(finite));
    g.saturation.push(d.saturation.map(finite));
    g.updateRatios.push(d.update_ratios.map(finite));
    if (g.step.length > HISTORY_CAP) thinHistory(g);
  }

  /** Merge one decoded frame ({header, sections, shapes, quantized}) into the snapshot. */
  snap.ingest = function ingest(frame) {
    const { header, sections, shapes } = frame;
    snap.frames += 1;
    const st = snap.stamps;
    st.frame += 1;
    const newGeneration = header.generation !== snap.generation;
    if (newGeneration) {
      snap.generation = header.generation;
      snap.history = emptyHistory();
      snap.diagnostics = emptyDiagnostics();
      snap.landscape = null;
      snap.preactivations = null;
      st.history += 1;
      st.landscape += 1;
      st.path += 1;
    }
    snap.header = header;
    if (header.landscape_refused && snap.landscape) {
      snap.landscape = null;   // this page no longer gets the run's surface: the one it has is stale
      st.landscape += 1;
    }

    if (sections.weights) { snap.weights = sections.weights; st.weights += 1; }
    if (sections.gradients) { snap.gradients = sections.gradients; st.weights += 1; }
    if ("output_grid" in sections) { snap.outputGrid = gridOf(frame, "output_grid"); st.output += 1; }
    // the neurons' pictures or, for squares too small for them, one code each: whichever came last
    if ("hidden_grids" in sections) { snap.hiddenGrids = gridOf(frame, "hidden_grids"); snap.hiddenMeans = null; st.hidden += 1; }
    if ("hidden_means" in sections) { snap.hiddenMeans = gridOf(frame, "hidden_means"); snap.hiddenGrids = null; st.hidden += 1; }
    if (sections.preactivations) {
      snap.preactivations = sections.preactivations;
      snap.activations = sections.activations ?? null;
      snap.neuron = header.neuron ?? null;
      snap.neuronFunction = header.neuron_function ?? null;
      st.activation += 1;
    }
    if (sections.dataset_x_train) {
      const d = shapes.dataset_x_train[1] ?? 1;
      snap.dataset = {
        d,
        xTrain: sections.dataset_x_train, yTrain: sections.dataset_y_train,
        xTest: sections.dataset_x_test, yTest: sections.dataset_y_test,
      };
      st.dataset += 1;
    }
    if (sections.history) {
      const cols = header.history_columns ?? ["step", "train_loss", "test_loss", "train_accuracy", "test_accuracy"];
      const k = shapes.history[0];
      const w = shapes.history[1];
      const h = emptyHistory();
      const idx = (name) => cols.indexOf(name);
      const [is, itr, ite, iatr, iate] = ["step", "train_loss", "test_loss", "train_accuracy", "test_accuracy"].map(idx);
      for (let i = 0; i < k; i++) {
        const row = i * w;
        h.step.push(sections.history[row + is]);
        h.trainLoss.push(sections.history[row + itr]);
        h.testLoss.push(sections.history[row + ite]);
        h.trainAccuracy.push(iatr >= 0 ? sections.history[row + iatr] : NaN);
        h.testAccuracy.push(iate >= 0 ? sections.history[row + iate] : NaN);
      }
      snap.history = h;
      st.history += 1;
    }
    if (header.metrics && appendMetrics(header.metrics)) st.history += 1;
    if (header.diagnostics && header.metrics) appendDiagnostics(header.metrics.step, header.diagnostics);

    if (sections.landscape_loss) {
      const meta = header.landscape ?? {};
      snap.landscape = {
        id: meta.id ?? header.landscape_id,
        meta,
        loss: sections.landscape_loss,
        shape: shapes.landscape_loss,
        alpha: sections.landscape_alpha,
        beta: sections.landscape_beta,
        path: sections.path ?? null,
        pathShape: shapes.path ?? null,
        field: sections.field_alpha ? {
          alpha: sections.field_alpha, beta: sections.field_beta,
          dAlpha: sections.field_d_alpha, dBeta: sections.field_d_beta,
        } : null,
      };
      st.landscape += 1;
      st.path += 1;
    } else if (sections.path && snap.landscape) {
      snap.landscape.path = sections.path;
      snap.landscape.pathShape = shapes.path;
      st.path += 1;
    }
    return newGeneration;
  };

  return snap;
}
