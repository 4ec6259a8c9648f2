"""Waymark gateway."""
