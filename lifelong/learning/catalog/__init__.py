"""The resource matrix: catalogue browsing, search, imports and authoring."""
