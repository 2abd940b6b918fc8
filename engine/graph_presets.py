"""The backprop lab's presets: the course's worked examples, with their exact numbers.

Each preset: expression, leaf values, a one-line description of what it shows, and the leaf the
nudge panel starts on (the one the course nudges)."""

from __future__ import annotations

PRESETS: dict[str, dict] = {
    "chain": {
        "title": "the chain rule: L = (a*b + c) * f",
        "expression": "e = a*b; d = e + c; L = d*f",
        "values": {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0},
        "nudge": "f",
        "description": "L = -8. A product hands each input the other's value, a sum hands the "
                       "gradient on unchanged: dL/df = d = 4, dL/dd = f = -2, dL/dc = dL/de = -2, "
                       "dL/da = -2 * b = 6, dL/db = -2 * a = -4.",
    },
    "neuron": {
        "title": "a neuron: o = tanh(x1*w1 + x2*w2 + b)",
        "expression": "n = x1*w1 + x2*w2 + b; o = tanh(n)",
        "values": {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432},
        "nudge": "w1",
        "description": "o = 0.7071, so do/dn = 1 - o^2 = 0.5; then dx1 = w1 * 0.5 = -1.5, "
                       "dw1 = x1 * 0.5 = 1, dx2 = w2 * 0.5 = 0.5, dw2 = x2 * 0.5 = 0.",
    },
    "neuron_exp": {
        "title": "the same neuron, tanh written out with exp",
        "expression": "n = x1*w1 + x2*w2 + b; e = exp(2*n); o = (e - 1) / (e + 1)",
        "values": {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432},
        "nudge": "w1",
        "description": "tanh(n) = (e^2n - 1) / (e^2n + 1): more nodes (exp, a power -1 for the "
                       "division, constants), the same gradients as the tanh node.",
    },
    "reuse": {
        "title": "a value used twice: b = a + a",
        "expression": "b = a + a",
        "values": {"a": 3.0},
        "nudge": "a",
        "description": "a feeds both inputs of the sum, so its gradient is the sum of both "
                       "contributions: db/da = 1 + 1 = 2. Overwriting instead of adding "
                       "(grad = instead of grad +=) would give 1, the classic bug.",
    },
}
