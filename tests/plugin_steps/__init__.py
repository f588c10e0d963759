"""A third-party step package, as a plugin would ship one (entry point: ``data_profiling``)."""
