"""``python -m lockin`` runs the same command line as ``lockin``."""

from lockin.cli import main

if __name__ == "__main__":
    main()
