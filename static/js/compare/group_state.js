// A comparison group's client state, from decoded frames (docs/protocol.md, "Comparison
// groups"): every member's history rows (appended from each frame's newest row), marks, metrics
// and the latest decision-boundary grid. Pure: no DOM, unit-tested with node --test.

export const MAX_ROWS = 4000;   // per member; when full every other row is dropped

/** A fresh state. */
export function createGroupState() {
  return { header: null, members: [], columns: [], seq: -1, stamp: 0 };
}

function emptyMember() {
  return { rows: [], marks: [], info: null, grid: null, gridShape: null, quantized: null };
}

/** Thin rows to at most `max` by dropping every other one (the last row is kept). */
export function thin(rows, max = MAX_ROWS) {
  if (rows.length < max) return rows;
  const kept = rows.filter((_, i) => i % 2 === 0);
  if (kept[kept.length - 1] !== rows[rows.length - 1]) kept.push(rows[rows.length - 1]);
  return kept;
}

/**
 * Take one decoded frame {header, sections, shapes, quantized} into the state. Full frames
 * replace every member's rows with its m{i}_history section; others append the newest row when
 * its updates count is larger than the last held (a smaller one means the member restarted).
 */
export function ingestFrame(state, { header, sections, shapes, quantized }) {
  state.header = header;
  state.columns = header.history_columns;
  state.seq = header.seq;
  state.stamp += 1;
  const width = state.columns.length;
  header.members.forEach((info, i) => {
    const m = state.members[i] ?? (state.members[i] = emptyMember());
    m.info = info;
    if (info.status === "deleted") return;
    const history = sections[`m${i}_history`];
    if (header.full && history) {
      m.rows = [];
      for (let r = 0; r < history.length / width; r++) {
        m.rows.push(Array.from(history.subarray(r * width, (r + 1) * width)));
      }
    } else if (info.row) {
      const last = m.rows[m.rows.length - 1];
      if (!last || info.row[0] > last[0]) m.rows.push(info.row.map((v) => (v == null ? NaN : v)));
      else if (info.row[0] < last[0]) m.rows = [info.row.slice()];
    }
    m.rows = thin(m.rows);
    m.marks = info.marks ?? [];
    const key = `m${i}_output`;
    if (sections[key]) {
      m.grid = sections[key];
      m.gridShape = shapes[key];
      m.quantized = quantized[key] ?? null;
    }
  });
  state.members.length = header.members.length;
  return state;
}

/** {xs, ys} of one member: x on the clock `xKey` ("updates" | "epochs" | "examples"). */
export function memberSeries(state, index, xKey, yKey) {
  const cx = state.columns.indexOf(xKey);
  const cy = state.columns.indexOf(yKey);
  if (cx < 0 || cy < 0) throw new Error(`unknown column ${cx < 0 ? xKey : yKey}`);
  const rows = state.members[index]?.rows ?? [];
  const xs = new Float64Array(rows.length);
  const ys = new Float64Array(rows.length);
  rows.forEach((r, k) => {
    xs[k] = r[cx];
    ys[k] = r[cy] == null ? NaN : r[cy];
  });
  return { xs, ys };
}

/** A mark's position on the chosen clock and a short label ("lr 0.1"). */
export function markLabel(mark) {
  const short = { learning_rate: "lr", batch_size: "batch", optimizer: "opt", momentum: "mom",
    schedule: "sched", clipping: "clip", clip_threshold: "clip@", regularization: "reg",
    regularization_rate: "reg rate" };
  const name = short[mark.field] ?? mark.field;
  return mark.value == null ? name : `${name} ${mark.value}`;
}

/** The axis label of a clock. */
export function clockLabel(xKey) {
  return { updates: "updates", epochs: "epochs", examples: "examples seen" }[xKey] ?? xKey;
}
