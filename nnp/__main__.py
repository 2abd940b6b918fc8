"""`python -m nnp train|sweep ...` (the same as `nn-playground train|sweep ...`)."""

import sys

from .cli import main

sys.exit(main())
