"""Gateway: the public HTTP surface (the spec's endpoints and ours) and the editor."""
