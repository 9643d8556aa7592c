"""Camera and screen frames, JPEG encoding and frame pacing."""
