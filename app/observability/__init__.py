"""Observability: Prometheus metrics, request ids in every log line, JSON logs, graceful shutdown.

Import the submodules themselves. This package imports none of them, so that the CLI can
configure logging before `metrics` (and with it the Prometheus client, which picks its
single- or multiprocess mode on import) is loaded.
"""
