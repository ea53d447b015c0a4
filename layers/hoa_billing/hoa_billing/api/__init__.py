"""HTTP glue shared by every API function: principals, API models, error mapping."""
