"""Content pieces: what generation jobs wrote, editable by their owner."""
