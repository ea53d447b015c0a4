import sys

from hoa_local.cli import main

sys.exit(main())
