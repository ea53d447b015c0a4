"""The invoice email: what a message is, how it is rendered, and how it is sent."""
