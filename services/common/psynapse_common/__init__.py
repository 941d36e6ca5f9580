"""Shared core of every Psynapse service: settings, names, messages, codec, graph."""
