// The loss functions' figure, as numbers: for one example whose true class the model predicts
// with probability p, each loss and its gradient with respect to the output's logit z.
//   cross-entropy (BCE with y = 1, or CCE's true-class term): L = -log p,  dL/dz = p - 1
//   squared error behind a sigmoid, p = sigma(z):             L = (1 - p)^2, dL/dz = 2 (p - 1) p (1 - p)
// (CCE's gradient for the true class's logit is also p - 1, so one curve serves both.)

export const crossEntropy = (p) => -Math.log(p);
export const crossEntropyGrad = (p) => p - 1;
export const squaredError = (p) => (1 - p) ** 2;
export const squaredErrorSigmoidGrad = (p) => 2 * (p - 1) * p * (1 - p);

/** Samples of every curve at n probabilities evenly spaced in [lo, hi]. */
export function lossCurves(n = 200, lo = 0.002, hi = 0.998) {
  const p = Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
  return {
    p,
    crossEntropy: p.map(crossEntropy),
    squaredError: p.map(squaredError),
    crossEntropyGrad: p.map(crossEntropyGrad),
    squaredErrorSigmoidGrad: p.map(squaredErrorSigmoidGrad),
  };
}

/**
 * The probability of the true class that a mean cross-entropy `loss` corresponds to:
 * exp(-loss), the geometric mean of the model's true-class probabilities. Null when the loss is
 * not a cross-entropy or not finite.
 */
export function probabilityFromLoss(loss, lossName) {
  if ((lossName !== "bce" && lossName !== "cce") || !Number.isFinite(loss) || loss < 0) return null;
  return Math.exp(-loss);
}
