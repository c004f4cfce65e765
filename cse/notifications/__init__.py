"""Subscriptions' notifications: which events notify whom, what they carry, how they travel."""
