"""`psynapse export`: a workflow as a standalone Python script."""
