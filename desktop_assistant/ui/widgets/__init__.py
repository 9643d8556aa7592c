"""Small reusable widgets (meters, previews, transcript view)."""
