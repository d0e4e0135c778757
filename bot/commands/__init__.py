"""Subcommands of `ortbot`, one module per group, discovered by `bot.cli`."""
