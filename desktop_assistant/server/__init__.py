"""A local, protocol-faithful Gemini Live server that the unmodified google-genai SDK connects to.

It is a separate program shipped in the same distribution (``desktop-assistant serve``): it serves
the tests, the headless demo, and is the base of the offline backend. It never imports the client
side of the project.
"""
