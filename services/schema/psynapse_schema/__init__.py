"""Schema service: owns nodepack introspection and publishes the catalog."""
