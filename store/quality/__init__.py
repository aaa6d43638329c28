"""The quality gate on the claim path: hidden gold checks in labelers' queues, active time and
a labeler's status. Headless, like the rest of `store/`; the report researchers read is
`store.reports.quality`.

- `policy.QualityPolicy`: the `[quality]` settings.
- `gold`: when a claim is a gold check, which gold task, where its answers go.
- `clock.ActiveClock`: active seconds from input times, idle gaps left out.
- `scoring`, `fast`, `screening`: the pieces of a labeler's figures.
- `status`: judge, store and act on a labeler's status (pause, resume).
"""
