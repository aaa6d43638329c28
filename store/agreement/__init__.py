"""Agreement statistics, no database: `metrics` (labels on a scale or in categories, the
bootstrap) and `ranking` (rankings compared). `store.reports.agreement` reads the labels and
applies both (`labeldesk agreement`)."""
