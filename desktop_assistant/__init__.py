"""Desktop Assistant: talk with Gemini in real time, by voice, with a camera or screen in view."""

# The one place the version lives: packaging, the About box and the installers read it from here.
__version__ = "0.1.0"

# Reverse-DNS id: names the .desktop file, the icons, the AppStream metainfo, the macOS bundle id.
APP_ID = "io.github.desktopassistant.DesktopAssistant"
APP_NAME = "Desktop Assistant"
