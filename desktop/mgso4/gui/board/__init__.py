"""The ward board: active episodes with countdowns, overdue first."""
