"""Renderers at the edge: implementations of the program layer's rendering ports."""
