"""Boards Desktop: make and keep AI-generated media on boards, on your own machine."""

__version__ = "0.1.0"
