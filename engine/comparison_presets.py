"""The comparisons the course makes, one click each: a base config, variants, labels, a clock.

Defined once here; `GET /api/comparisons/presets` publishes them and the /compare page opens
them by name (`/compare?preset=<name>`).
"""

from __future__ import annotations

from .config import TrainConfig

# name -> {"title", "lesson" (what to look for), "clock", "base": partial TrainConfig,
#          "variants": [partial TrainConfig], "labels": [str]}
PRESETS: dict[str, dict] = {
    "batch_sizes": {
        "title": "Batch vs minibatch vs stochastic",
        "lesson": "Per epoch, full batch makes 1 update, minibatch 25 and SGD 250: on the epoch "
                  "clock SGD is far ahead but noisy; switch to updates to see each step's worth.",
        "clock": "epochs",
        "base": {"dataset": "circle", "hidden": [4, 2], "activation": "tanh",
                 "learning_rate": 0.03, "optimizer": "sgd"},
        "variants": [{"batch_size": 250}, {"batch_size": 10}, {"batch_size": 1}],
        "labels": ["full batch (250)", "minibatch 10", "SGD (1)"],
    },
    "learning_rates": {
        "title": "Three learning rates",
        "lesson": "Too small crawls, about right converges, too large jumps around or diverges.",
        "clock": "updates",
        "base": {"dataset": "circle", "hidden": [4, 2], "activation": "tanh", "batch_size": 10},
        "variants": [{"learning_rate": 0.001}, {"learning_rate": 0.1}, {"learning_rate": 5.0}],
        "labels": ["lr 0.001", "lr 0.1", "lr 5"],
    },
    "schedules": {
        "title": "Constant vs step vs cosine decay",
        "lesson": "A decayed rate calms the end of training; the effective-rate chart shows "
                  "each schedule as a curve.",
        "clock": "updates",
        "base": {"dataset": "spiral", "hidden": [8, 8], "activation": "tanh", "batch_size": 10,
                 "learning_rate": 0.3, "noise": 0.1},
        "variants": [{"schedule": "constant"},
                     {"schedule": "step", "decay_rate": 0.5, "decay_steps": 1000},
                     {"schedule": "cosine", "decay_steps": 4000}],
        "labels": ["constant", "step (x0.5 / 1000)", "cosine (4000)"],
    },
    "optimizers_xor": {
        "title": "SGD vs momentum vs Adam on xor",
        "lesson": "A small net on xor: plain SGD sits on a plateau for a long time, momentum "
                  "and Adam leave it sooner.",
        "clock": "updates",
        "base": {"dataset": "xor", "hidden": [2], "activation": "tanh", "batch_size": 10,
                 "learning_rate": 0.01, "init": "xavier", "seed": 3},
        "variants": [{"optimizer": "sgd"}, {"optimizer": "momentum"}, {"optimizer": "adam"}],
        "labels": ["SGD", "momentum 0.9", "Adam"],
    },
    "activations_deep": {
        "title": "Sigmoid vs tanh vs ReLU, 6 hidden layers",
        "lesson": "In a deep net sigmoid's gradients vanish on the way down (see the gradient "
                  "norms); tanh and ReLU keep learning.",
        "clock": "updates",
        "base": {"dataset": "circle", "hidden": [6, 6, 6, 6, 6, 6], "batch_size": 10,
                 "learning_rate": 0.03},
        "variants": [{"activation": "sigmoid"}, {"activation": "tanh"}, {"activation": "relu"}],
        "labels": ["sigmoid", "tanh", "ReLU"],
    },
    "inits": {
        "title": "Xavier vs zeros vs large uniform init",
        "lesson": "Zeros keep every neuron of a layer identical (the symmetry is never broken) "
                  "and nothing learns; uniform ±0.5 starts with weights larger than Xavier's "
                  "for 32-wide layers (compare the first updates and the gradient norms).",
        "clock": "updates",
        "base": {"dataset": "spiral", "hidden": [32, 32, 32], "activation": "tanh",
                 "batch_size": 10, "learning_rate": 0.03},
        "variants": [{"init": "xavier"}, {"init": "zeros"}, {"init": "uniform"}],
        "labels": ["Xavier", "zeros", "uniform ±0.5"],
    },
    "losses": {
        "title": "MSE vs cross-entropy",
        "lesson": "On a classification task cross-entropy keeps a strong gradient where MSE "
                  "through a saturated output barely moves.",
        "clock": "updates",
        "base": {"dataset": "circle", "hidden": [4, 2], "activation": "tanh", "batch_size": 10,
                 "learning_rate": 0.03},
        "variants": [{"loss": "mse"}, {"loss": "bce"}],
        "labels": ["MSE", "binary cross-entropy"],
    },
    "clipping": {
        "title": "Clipping on vs off at a high learning rate",
        "lesson": "At a high rate one large gradient throws the unclipped run off; clipping "
                  "the gradient's norm bounds every step.",
        "clock": "updates",
        "base": {"dataset": "circle", "hidden": [8, 8], "activation": "tanh", "batch_size": 10,
                 "learning_rate": 3.0, "optimizer": "sgd"},
        "variants": [{"clipping": "none"}, {"clipping": "norm", "clip_threshold": 1.0}],
        "labels": ["no clipping", "clip norm 1"],
    },
}


def preset(name: str) -> dict:
    """The preset by name, with its base as a full TrainConfig (validated)."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}")
    p = PRESETS[name]
    return {**p, "name": name, "base": TrainConfig.model_validate(p["base"])}
