"""Devices: microphone and speaker (sounddevice), camera and screen (OpenCV, Qt grabber via ports)."""
