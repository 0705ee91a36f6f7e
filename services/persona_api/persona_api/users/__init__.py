"""The signed-in user."""
