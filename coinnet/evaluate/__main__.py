"""``python -m coinnet.evaluate``: see :mod:`coinnet.evaluate.cli`."""

import sys

from coinnet.evaluate.cli import main

sys.exit(main())
