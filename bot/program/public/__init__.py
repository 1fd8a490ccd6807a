"""The program's public pages: the data each page shows (no HTML here; bot/web renders it).

Privacy first: only active ambassadors who ticked "List me on the public directory" appear, with
only the fields they chose; the pages read live data, so alumni and forgotten people are gone at
the next request."""
