"""Translation stores nothing: this app has no models."""
