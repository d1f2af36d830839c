"""xAPI document resources: State, Activity Profile and Agent Profile."""
