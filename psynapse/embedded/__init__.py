"""`psynapse up`'s own stack: a nats-server and every service as child processes, supervised."""
