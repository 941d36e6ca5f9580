"""``psynapse pack``: nodepacks from the command line (a running stack's, and authoring one's own)."""
