"""Live quality control (issue 16): hidden gold checks in labelers' queues, active time, the
quality report and the status rules that act on it. Headless, like the rest of `store/`.

- `policy.QualityPolicy`: the `[quality]` settings.
- `gold`: when a claim is a gold check, which gold task, where its answers go.
- `clock.ActiveClock`: active seconds from input times, idle gaps left out.
- `scoring`, `fast`, `screening`: the pieces of a labeler's figures.
- `status`: judge, store and act on a labeler's status (pause, resume).
- `report.quality_report`: what `labeldesk quality` and the dashboard show.
"""
