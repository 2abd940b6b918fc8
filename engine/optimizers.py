"""Update rules on flat vectors: theta += update(g). Each writes the step into ``update``.

State lives in a dict of named buffers shared across rules, so that switching optimizer keeps
the state that still applies (momentum <-> nesterov share "velocity"); a buffer a rule has not
seen before starts at zero.
"""

from __future__ import annotations

import numpy as np


def sgd(g, lr, update, state, cfg):
    """update = -lr g."""
    np.multiply(g, -lr, out=update)


def momentum(g, lr, update, state, cfg):
    """v <- mu v - lr g; update = v."""
    v = state["velocity"]
    v *= cfg.momentum
    v -= lr * g
    np.copyto(update, v)


def nesterov(g, lr, update, state, cfg):
    """Nesterov momentum in the form of Sutskever et al. (2013) on the current parameters:
    v <- mu v - lr g; update = mu v - lr g (the look-ahead step)."""
    v = state["velocity"]
    mu = cfg.momentum
    v *= mu
    v -= lr * g
    np.multiply(v, mu, out=update)
    update -= lr * g


def adagrad(g, lr, update, state, cfg):
    """G <- G + g^2; update = -lr g / (sqrt(G) + eps)."""
    acc = state["sum_sq"]
    acc += g * g
    np.divide(g, np.sqrt(acc) + cfg.epsilon, out=update)
    update *= -lr


def rmsprop(g, lr, update, state, cfg):
    """s <- rho s + (1 - rho) g^2; update = -lr g / (sqrt(s) + eps)."""
    s = state["mean_sq"]
    s *= cfg.rho
    s += (1.0 - cfg.rho) * g * g
    np.divide(g, np.sqrt(s) + cfg.epsilon, out=update)
    update *= -lr


def adam(g, lr, update, state, cfg):
    """Kingma & Ba: m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g^2; t <- t + 1;
    update = -lr m_hat / (sqrt(v_hat) + eps) with m_hat = m/(1-b1^t), v_hat = v/(1-b2^t)."""
    m, v = state["adam_m"], state["adam_v"]
    t = state["adam_t"] = state.get("adam_t", 0) + 1
    b1, b2 = cfg.beta1, cfg.beta2
    m *= b1
    m += (1.0 - b1) * g
    v *= b2
    v += (1.0 - b2) * g * g
    v_hat_sqrt = np.sqrt(v / (1.0 - b2 ** t))
    np.divide(m, v_hat_sqrt + cfg.epsilon, out=update)
    update *= -lr / (1.0 - b1 ** t)


OPTIMIZERS = {"sgd": sgd, "momentum": momentum, "nesterov": nesterov, "adagrad": adagrad,
              "rmsprop": rmsprop, "adam": adam}
STATE_BUFFERS = {"sgd": (), "momentum": ("velocity",), "nesterov": ("velocity",),
                 "adagrad": ("sum_sq",), "rmsprop": ("mean_sq",), "adam": ("adam_m", "adam_v")}


def ensure_state(name: str, state: dict, n_params: int) -> None:
    """Create (as zeros) the buffers rule ``name`` needs that the state does not hold yet."""
    for key in STATE_BUFFERS[name]:
        if key not in state:
            state[key] = np.zeros(n_params)
            if key == "adam_m":
                state["adam_t"] = 0
