"""``python -m mlops_gitops`` is ``mlops``."""

import sys

from mlops_gitops.cli import main

sys.exit(main())
