"""Built-in tools, one small module each."""
