"""Agreement: `metrics` (labels on a scale or in categories, the bootstrap), `ranking`
(rankings compared), `report` (`labeldesk agreement`: reads the labels, applies both)."""
