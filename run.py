"""Command line of the Liaohe New Town simulation; see ``python run.py --help``."""

import sys

if __name__ == "__main__":
    try:
        from sim.cli import main
    except KeyboardInterrupt:  # Ctrl-C while the program is still starting
        print("run.py: stopped (Ctrl-C)", file=sys.stderr)
        sys.exit(130)
    sys.exit(main())
