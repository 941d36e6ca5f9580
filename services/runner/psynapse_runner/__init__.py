"""Runner: pull-consumes jobs and runs nodepack code in a thread pool."""
