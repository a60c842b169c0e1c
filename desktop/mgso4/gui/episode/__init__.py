"""One episode: banner, due alerts, bedside actions and the timeline."""
