"""CloudEvents in and out (§8): the object store's events, subscriptions, push and pull delivery."""
