"""nn-playground's web server: runs that train live, streamed to viewers, plus a REST API."""

import os

# One BLAS thread per calling thread, set before NumPy loads (when the server is imported first,
# as with `uvicorn server.app:app` or `nn-playground`). The engine's matrices are small; OpenBLAS's
# own threads fight the event loop for the cores (measured on 2 cores: a 100 x 100 output grid
# 12x slower, a 21 x 21 landscape 15x slower, training 30% slower with 2 BLAS threads).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
