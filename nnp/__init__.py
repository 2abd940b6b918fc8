"""nn-playground for scripts: the `train` and `sweep` commands and a Python client for the REST API.

- `nnp.client.PlaygroundClient`: typed methods over the server's REST API (httpx).
- `nnp.train_job`: one run of the engine for a number of steps, its history and weights on disk.
- `nnp.sweep`: a grid of runs on a local process pool or a Dask cluster; `nnp.sweep_report` its
  self-contained HTML report.
- `nnp.cli`: `nn-playground train ...` and `nn-playground sweep ...` (the console script's other
  subcommand, `serve`, and no subcommand at all, start the server: `server/cli.py`).

The engine stays pure: everything here calls `engine.Trainer`; nothing here imports the server.
"""

import os

# one BLAS thread per process, before NumPy loads (as server/__init__.py does): a sweep runs one
# process per core, and OpenBLAS's own threads would fight the other workers for the cores
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
