"""Flowdeck: a GraphQL service that starts, executes and steers workflow runs."""
