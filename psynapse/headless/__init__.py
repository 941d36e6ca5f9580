"""`psynapse run`: a workflow run without the editor, its live status on the terminal."""
