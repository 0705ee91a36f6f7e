"""End-to-end tests with the real local model (llama-cpp-python + SmolLM2); marked `e2e`."""
