"""The change log: one ordered row per change to what the API shows (the partners' feed)."""
