"""Devices: microphone and speaker (sounddevice), camera and screen (OpenCV, mss).

The factories are the whole surface the app needs:

- ``media.audio.factory``: ``open_audio(mic, speaker, headphones=False, on_error=...)`` (a
  microphone and a speaker sharing one echo canceller), ``open_microphone``, ``open_speaker``;
  ``media.audio.devices``: ``list_input_devices``, ``list_output_devices``, ``find_device``.
- ``media.video.factory``: ``open_camera(index_or_path)``, ``open_screen(Monitor|Region|Window)``,
  ``probe_screen_capture()`` (why not, or ``None``), ``open_frame_pacing(fps, user_active=...)``
  for an ``Assistant``'s ``pacing``; ``media.video.encode.jpeg_encoder()`` for its ``encode_jpeg``.

Every source implements the ``core.ports`` protocols; device trouble is reported as
``MediaErrored`` through ``on_error`` (on the loop thread) and never raised from ``start()``.
"""
