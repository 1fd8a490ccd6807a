"""The program's public web pages under /program: routes (`routes`), HTTP caching (`cache`) and
Jinja2 rendering (`render`, which imports jinja2 only when a page is first rendered, so a bot
whose pages nobody visits never loads it). The data comes from bot/program/public."""
