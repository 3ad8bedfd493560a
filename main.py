"""Start civaffairs from a source checkout: `python main.py`."""
from civaffairs.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
