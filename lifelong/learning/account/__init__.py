"""The lifelong learning account: one record per person, its export and its erasure."""
