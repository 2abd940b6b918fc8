// What the page's frames should carry (docs/protocol.md, "views"): every picture on the page,
// with one exception: hidden squares too small for pictures get one colour per neuron
// ("hidden_means", a byte each) instead of every neuron's picture ("hidden", r x r bytes each).

/** Every view the page draws. */
export const VIEWS = Object.freeze(["weights", "gradients", "output", "hidden", "activation", "landscape"]);

/** The views to subscribe to under these view options (state.ui: its `hiddenDetail`). */
export function viewsFor(ui) {
  return ui.hiddenDetail === "colours" ? VIEWS.map((v) => (v === "hidden" ? "hidden_means" : v)) : [...VIEWS];
}
