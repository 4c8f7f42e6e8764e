"""The HTTP and WebSocket surface: thin handlers over the service."""
