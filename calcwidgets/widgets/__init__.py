"""Explorers: thin ipywidgets front ends that move the core and redraw a view."""
