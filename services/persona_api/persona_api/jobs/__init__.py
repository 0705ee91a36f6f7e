"""Jobs: generation requests, status polling and cancellation."""
