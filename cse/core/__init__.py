"""The binding-independent core: request primitive in, response primitive out."""
