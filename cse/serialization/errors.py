class SerializationError(Exception):
    """A body that cannot be decoded; the message says what is wrong and where."""
