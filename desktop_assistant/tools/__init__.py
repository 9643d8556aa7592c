"""Tool registry (typed Python functions become function declarations) and the built-in tools."""
