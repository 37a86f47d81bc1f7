"""Domain actions: each opens its transaction, changes state, appends events, commits, publishes.

Resolvers in `schema/` call exactly one of these and wrap what comes back.
"""
