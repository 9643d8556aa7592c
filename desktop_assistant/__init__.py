"""Desktop Assistant: talk with Gemini in real time, by voice, with a camera or screen in view."""

# The one place the version lives: packaging, the About box and the installers read it from here.
__version__ = "0.1.0"
