"""Dangol (단골): the loyalty program at a shop's counter."""

__version__ = "0.1.0"
