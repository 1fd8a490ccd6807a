"""Rendering at the edge: turns the typed values the program produces into files to upload."""
