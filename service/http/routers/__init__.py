"""One router per resource: health, ask, models, chat."""
