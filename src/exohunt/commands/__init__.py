"""One module per ``exohunt`` subcommand: ``HELP``, ``add_arguments(parser)``, ``run(args)``."""
