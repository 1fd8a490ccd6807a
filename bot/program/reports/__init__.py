"""Reports and exports for moderators.

- `report`: the program's numbers (`ReportService`), sent as a direct message with a chart;
- `messages`: the report as a typed outbound message (`ProgramReport`);
- `charts`: the report's trends as chart data (drawn at the edge by `bot.render.charts`);
- `exports`: the data as CSV or JSON files (`ExportService`), for the CLI and as a Slack file.
"""
