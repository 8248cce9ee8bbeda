"""``python -m tests.load`` (``make load``): the loopback load test, see `tests.load.run`."""

import sys

from .run import main

sys.exit(main())
