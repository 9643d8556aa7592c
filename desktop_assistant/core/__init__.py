"""The Qt-free, device-free, network-free heart: events, ports, conversation state, orchestration."""
