"""Audio capture, playback buffering, resampling, echo cancellation and device handling."""
