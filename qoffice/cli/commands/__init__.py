"""One module per command: `register(subparsers, name)` sets `func`; heavy imports inside `run`."""
