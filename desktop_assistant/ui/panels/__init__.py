"""The window's panels, each arranging widgets over one view-model."""
