"""Small reusable widgets: banners, field messages, typed time entry, icons."""
