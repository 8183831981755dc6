"""One module per command group; each defines register(subparsers, common).

``common`` is an argparse parent carrying --config, --db and -v: pass it as
``parents=[common]`` so every command accepts them. The handler is set with
``set_defaults(func=handler)`` and is called as ``handler(args, settings)``;
it returns the exit code."""
