"""Why a run blew up: the likely cause of a divergence (or of a finite blow-up), from the
run's diagnostics, and the advice that goes with it.

A run that diverges (non-finite loss or parameters) or whose loss climbs far above its start
("unstable") gets ONE named cause, checked in this order:

- "initialization": at the start the full-batch gradient was INIT_RATIO_LIMIT times (or more)
  that of the same network, same draws, under the usual scheme at gain 1 (he for the relu
  family, xavier otherwise): the initial weights amplify the signal layer after layer (8 layers
  of 64 with `uniform` init: U(-0.5, 0.5) has sqrt(64/12) = 2.3 times the variance-keeping
  scale per layer).
- "input_scale": inputs are not standardized and some input feature is far from unit scale
  (root mean square above INPUT_RMS_LIMIT; the house sizes are ~150): the first layer's
  gradient is that many times larger than the rest.
- "learning_rate": the first update was already large, lr * ||g0|| >= FIRST_UPDATE_LIMIT *
  ||theta0|| (the rate overshoots from the start), or clipping is on and it still blew up.
- "no_clipping": otherwise: the first updates were small, training went on for a while and
  then the gradient grew without bound; clipping (by norm) caps each update.

`likely_cause(evidence)` is pure (tested case by case); the Trainer gathers the evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

INIT_RATIO_LIMIT = 10.0     # initial gradient this many times the usual init's: blame the init
INPUT_RMS_LIMIT = 50.0      # an input feature this far from unit scale (rms): blame the inputs
FIRST_UPDATE_LIMIT = 0.1    # a first update this large relative to the weights: blame the rate
STANDARDIZED_RATE_LIMIT = 0.1   # the input-scale remedy's largest learning rate
UNSTABLE_FACTOR = 4.0       # training loss this many times its start: "unstable"
CAUSES = ("initialization", "input_scale", "learning_rate", "no_clipping")

# The usual scheme for each activation at gain 1: what the initial gradient is compared with.
REFERENCE_INIT = {"relu": "he", "leaky_relu": "he"}


def reference_init(activation: str) -> str:
    """The usual initialization for this hidden activation: he for relu's, xavier otherwise."""
    return REFERENCE_INIT.get(activation, "xavier")


@dataclass(frozen=True)
class Evidence:
    """What the cause is decided from (plain numbers from the run; see the module docstring)."""
    learning_rate: float          # the (scheduled) learning rate now
    init: str
    init_gain: float
    reference_init: str           # the usual scheme it is compared with
    init_gradient_ratio: float    # ||g0|| / ||g0 under the reference scheme at gain 1||
    first_update_ratio: float     # lr * ||g0|| / ||theta0|| (base learning rate)
    clipping: str                 # "none", "norm" or "value"
    input_rms: float              # largest root mean square of an input feature (0: standardized)
    input_feature: str            # which feature that is
    peak_gradient_norm: float     # largest finite minibatch gradient norm (before clipping)
    initial_gradient_norm: float  # ||g0||: the full-batch gradient at the start


def likely_cause(e: Evidence) -> tuple[str, str]:
    """(cause, advice): the cause (one of CAUSES) and one sentence of what it is and what to do,
    naming the numbers it was decided from."""
    lr = f"{e.learning_rate:g}"
    if e.init_gradient_ratio >= INIT_RATIO_LIMIT:
        scheme = f"init '{e.init}'" + (f" at init_gain {e.init_gain:g}" if e.init_gain != 1 else "")
        return "initialization", (
            f"likely cause: the initialization scale ({scheme} starts with a gradient "
            f"{e.init_gradient_ratio:.3g}x that of '{e.reference_init}' init): use init "
            f"'{e.reference_init}' or a smaller init_gain and reset")
    if e.input_rms > INPUT_RMS_LIMIT:
        return "input_scale", (
            f"likely cause: the inputs are far from unit scale ({e.input_feature} has root mean "
            f"square {e.input_rms:.3g}) for learning rate {lr}: standardize them (standardize = "
            "true) or lower the learning rate, and reset")
    if e.first_update_ratio >= FIRST_UPDATE_LIMIT or e.clipping != "none":
        return "learning_rate", (
            f"likely cause: learning rate {lr} is too large here (the first update was "
            f"{e.first_update_ratio:.2g} times the weights' norm): lower it and reset")
    peak = e.peak_gradient_norm / max(e.initial_gradient_norm, 1e-300)
    return "no_clipping", (
        f"likely cause: no gradient clipping (the first updates were small, then the gradient "
        f"norm grew to {e.peak_gradient_norm:.3g}, {peak:.3g}x its start, at learning rate "
        f"{lr}): turn clipping on (clipping = norm) or lower the learning rate, and reset")


def remedy(cause: str | None, config) -> dict | None:
    """The one-click way out of a blow-up with this cause: {"label", "changes"} (a partial
    TrainConfig, applied with a reset), or None without a cause. Each cause's remedy is the
    first thing its advice names: the usual init at gain 1, standardized inputs (with a rate of
    at most STANDARDIZED_RATE_LIMIT: unit-scale inputs still diverge at rates of a few), a
    learning rate ten times lower, clipping by global norm at 1."""
    if cause == "initialization":
        scheme = reference_init(config.activation)
        return {"label": f"use '{scheme}' init and reset", "changes": {"init": scheme, "init_gain": 1.0}}
    if cause == "input_scale":
        if config.learning_rate <= STANDARDIZED_RATE_LIMIT:
            return {"label": "standardize the inputs and reset", "changes": {"standardize": True}}
        return {"label": f"standardize the inputs, use learning rate {STANDARDIZED_RATE_LIMIT:g} and reset",
                "changes": {"standardize": True, "learning_rate": STANDARDIZED_RATE_LIMIT}}
    if cause == "learning_rate":
        return {"label": "lower the learning rate and reset",
                "changes": {"learning_rate": float(f"{config.learning_rate / 10:.3g}")}}
    if cause == "no_clipping":
        return {"label": "turn clipping on and reset",
                "changes": {"clipping": "norm", "clip_threshold": 1.0}}
    return None


def unstable_reason(loss: float, initial_loss: float, advice: str) -> str | None:
    """The "unstable" warning's reason when the training loss is UNSTABLE_FACTOR times its
    start or more (training goes on), else None."""
    if not (loss >= UNSTABLE_FACTOR * initial_loss > 0):
        return None
    return (f"the training loss {loss:.3g} is {loss / initial_loss:.3g}x its start "
            f"({initial_loss:.3g}); {advice}")
