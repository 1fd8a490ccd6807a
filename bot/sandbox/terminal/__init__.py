"""`ambassador-bot sandbox`: the real bot on loopback, with stand-ins for Slack and Discourse,
driven from a terminal (or a scenario file) as any named user.

- ``cast``: the people, channels, forum and settings of the sandbox world;
- ``screen``: how what the bot did on Slack and on the forum is printed;
- ``forum``: the ``forum …`` commands (what people do on the forum, told to the bot by webhook);
- ``session``: the ``Sandbox`` and its commands (``as``, ``/ambassador``, ``fill``, ``click`` …);
- ``run``: start it all (`open_sandbox`) and play a script, the demo or the terminal (`run_sandbox`).
"""
