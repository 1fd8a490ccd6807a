"""Rendering at the edge: implementations of the program layer's rendering ports (group
recognition templates) and the files drawn from the typed values it produces (report charts)."""
