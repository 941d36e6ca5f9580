"""What tests share: the NATS and stack fixtures\x27 parts, graph builders, probes. No test module imports another."""
