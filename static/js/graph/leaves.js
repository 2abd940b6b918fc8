// Which names of an expression need a value: a light scan for the inputs list only (the server
// parses for real and answers 422 for anything it refuses).
const FUNCTIONS = new Set(["exp", "log", "tanh", "sigmoid", "relu"]);

/** Names read before (or without) being assigned, in order of first use. */
export function leafNames(text) {
  const assigned = new Set();
  const leaves = [];
  for (const stmt of text.split(/[;\n]/)) {
    const m = stmt.match(/^\s*([A-Za-z_]\w*)\s*=(?!=)(.*)$/);
    const rhs = m ? m[2] : stmt;
    for (const [name] of rhs.matchAll(/[A-Za-z_]\w*/g)) {
      if (!FUNCTIONS.has(name) && !assigned.has(name) && !leaves.includes(name) && !/^\d/.test(name)) leaves.push(name);
    }
    if (m) assigned.add(m[1]);
  }
  return leaves;
}
