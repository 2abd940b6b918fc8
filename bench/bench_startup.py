"""Start-up cost of the compiled loop: cold (empty numba cache) and warm (cached on disk).

    python bench/bench_startup.py

Each measurement is a fresh Python process with NUMBA_CACHE_DIR pointing at a new folder
(cold, then the same folder again: warm). It reports the time to get every kernel ready
(engine.compiled_loop.warm_up: importing numba + compiling or loading), wall and CPU, and
what the first `Trainer.train()` waits: with NNP_ENGINE=compiled (it waits for the kernels)
and with the default NNP_ENGINE=auto (it trains on the NumPy path while they compile in a
background thread, as the server does from its start).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROBE = r"""
import json, os, time
c0, w0 = time.process_time(), time.perf_counter()
from engine import Trainer, TrainConfig
t = Trainer(TrainConfig(batch_size=1))
import_s = time.perf_counter() - w0
w1 = time.perf_counter()
t.train(1)
first_train = time.perf_counter() - w1
engine = t.engine
import engine.compiled_loop as cl
if os.environ["NNP_ENGINE"] == "auto":
    cl._warm_thread.join()
print(json.dumps({"import_s": import_s, "first_train_s": first_train, "engine": engine,
                  "kernels_s": cl.compile_seconds, "cpu_s": time.process_time() - c0}))
"""


def probe(cache: str, mode: str) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache, "NNP_ENGINE": mode,
           "OPENBLAS_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    rows = []
    for mode in ("compiled", "auto"):
        with tempfile.TemporaryDirectory() as cache:
            for state in ("cold", "warm"):
                r = probe(cache, mode)
                rows.append((mode, state, r))
    print(f"{'NNP_ENGINE':>10s} {'cache':>5s} {'kernels ready':>14s} {'first train() waits':>20s} "
          f"{'on':>9s} {'process CPU':>12s}")
    for mode, state, r in rows:
        print(f"{mode:>10s} {state:>5s} {r['kernels_s']:>13.2f}s {r['first_train_s']:>19.3f}s "
              f"{r['engine']:>9s} {r['cpu_s']:>11.2f}s")


if __name__ == "__main__":
    main()
