"""The audio tier: real PortAudio streams on a private PulseAudio server that these tests start.

The server itself is the suite-wide ``virtual_audio`` fixture (tests/conftest.py), shared with
the GUI tests that talk by voice.
"""
