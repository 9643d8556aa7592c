"""The google-genai adapter: settings to config, the receive loop, reconnect, resume and GoAway."""
