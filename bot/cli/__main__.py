"""`python -m bot.cli`: the same command line as the installed `ambassador-bot`."""

from bot.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
